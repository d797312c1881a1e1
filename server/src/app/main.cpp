// veza: one binary, subcommands serve | migrate | config check | version.

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "app/app.h"
#include "app/config.h"
#include "app/identity.h"
#include "core/log.h"
#include "tracks/media_task.h"

namespace {

constexpr const char* kUsage = R"(veza — self-hostable platform for music creators

Usage:
  veza serve   [options]           serve the API, WebSocket hub and web client
  veza worker  [options]           run background jobs only (transcoding, mail…)
  veza migrate [--status] [options] apply pending database migrations (or show their state)
  veza config check [options]      print the effective configuration and every problem found
  veza admin user create|set-role|disable|enable …   manage accounts (veza admin for details)
  veza admin outbox [--deliver]    list (or send over SMTP) the mail outbox
  veza admin storage gc [--apply]  list (or delete) objects no track or account owns
  veza version
  veza media-task process IN OUT   (internal) process one upload; run by the server in a sandboxed child

Options (each also settable in the config file and as VEZA_* environment variables):
  --config FILE        TOML configuration file (VEZA_CONFIG)
  --listen HOST:PORT   address to serve on (VEZA_LISTEN, default 127.0.0.1:8080)
  --data DIR           data directory (VEZA_DATA_DIR, default ./data)
  --database URL       sqlite:PATH or postgresql://… (VEZA_DATABASE_URL, default sqlite:DATA/veza.db)
  --env NAME           development | production (VEZA_ENV)
  --set KEY=VALUE      any setting by its key, e.g. --set http.max_connections=5000
See docs/operations.md for every setting.
)";

int PrintProblems(const std::vector<std::string>& problems) {
  std::fprintf(stderr, "veza: the configuration has %zu problem(s):\n", problems.size());
  for (const auto& p : problems) std::fprintf(stderr, "  - %s\n", p.c_str());
  return 2;
}

void ConfigureLogging(const veza::app::Config& config) {
  using veza::log::Format;
  veza::log::Configure(config.log_format == "json" ? Format::kJson : Format::kText,
                       veza::log::ParseLevel(config.log_level, veza::log::Level::kInfo));
}

int Run(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0] == "help" || argv[0] == "--help" || argv[0] == "-h") {
    std::fputs(kUsage, stdout);
    return argv.empty() ? 2 : 0;
  }
  const std::string& command = argv[0];
  if (command == "version" || command == "--version") {
    std::printf("veza %s\n", VEZA_VERSION);
    return 0;
  }

  std::vector<std::string> rest(argv.begin() + 1, argv.end());
  // The sandboxed child of a processing job: no configuration, no database, just the media pipeline.
  if (command == "media-task") return veza::tracks::MediaTaskMain(rest);
  if (command == "config") {
    if (rest.empty() || rest[0] != "check") {
      std::fputs("usage: veza config check [options]\n", stderr);
      return 2;
    }
    rest.erase(rest.begin());
    auto load = veza::app::LoadConfig(rest, veza::app::ProcessEnvironment());
    std::fputs(veza::app::Describe(load.config).c_str(), stdout);
    if (!load.problems.empty()) return PrintProblems(load.problems);
    std::fputs("# configuration OK\n", stdout);
    return 0;
  }

  if (command == "admin") return veza::app::AdminCommand(rest);

  bool status_only = false;
  if (command == "migrate") {
    std::erase_if(rest, [&](const std::string& a) { return a == "--status" ? (status_only = true) : false; });
  } else if (command != "serve" && command != "worker") {
    std::fprintf(stderr, "veza: unknown command \"%s\"\n\n%s", command.c_str(), kUsage);
    return 2;
  }

  auto load = veza::app::LoadConfig(rest, veza::app::ProcessEnvironment());
  if (!load.problems.empty()) return PrintProblems(load.problems);
  ConfigureLogging(load.config);
  if (command == "serve") return veza::app::Serve(load.config);
  if (command == "worker") return veza::app::Work(load.config);
  return veza::app::MigrateCommand(load.config, status_only);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const std::exception& e) {
    // Broken infrastructure only: expected failures are values and handled above.
    veza::log::Error("fatal", {{"error", e.what()}});
    return 1;
  }
}
