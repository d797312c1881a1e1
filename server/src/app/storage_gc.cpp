#include "app/storage_gc.h"

#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>

#include "core/clock.h"
#include "core/log.h"

namespace veza::app {

namespace {

constexpr const char* kUsage = R"(usage:
  veza admin storage gc [--apply] [--min-age SECONDS] [options]
      Lists objects no track or account owns (tracks/<id>/…, users/<id>/…) and the space they take;
      --apply deletes them. Objects younger than --min-age (default 3600) are left alone, since an
      upload in flight stores its objects before the row that owns them.
)";

int Usage() {
  std::fputs(kUsage, stderr);
  return 2;
}

std::string Human(uint64_t bytes) {
  char buf[32];
  if (bytes >= (1ull << 30))
    std::snprintf(buf, sizeof buf, "%.2f GiB", static_cast<double>(bytes) / (1ull << 30));
  else if (bytes >= (1ull << 20))
    std::snprintf(buf, sizeof buf, "%.2f MiB", static_cast<double>(bytes) / (1ull << 20));
  else
    std::snprintf(buf, sizeof buf, "%.1f KiB", static_cast<double>(bytes) / 1024.0);
  return buf;
}

}  // namespace

Result<GcReport> CollectGarbage(Components& c, bool apply, int64_t min_age_ms) {
  if (!c.tracks || !c.identity) return Internal("the domains are not wired");
  VEZA_ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> all, c.objects->List(""));
  GcReport report;
  std::vector<storage::ObjectInfo> tracks, users;
  for (auto& o : all) {
    if (o.key.starts_with("tracks/"))
      tracks.push_back(o);
    else if (o.key.starts_with("users/"))
      users.push_back(o);
    else
      ++report.other_prefixes;
  }
  report.examined = static_cast<int64_t>(tracks.size() + users.size());
  VEZA_ASSIGN_OR_RETURN(std::vector<std::string> track_orphans, c.tracks->service->Orphans(tracks));
  VEZA_ASSIGN_OR_RETURN(std::vector<std::string> user_orphans, c.identity->media->Orphans(users));
  std::set<std::string> orphan_keys(track_orphans.begin(), track_orphans.end());
  orphan_keys.insert(user_orphans.begin(), user_orphans.end());

  const int64_t cutoff = c.clock.NowMs() - min_age_ms;
  for (const auto& o : all) {
    if (!orphan_keys.contains(o.key)) continue;
    if (o.modified_ms > cutoff) {
      ++report.too_young;
      continue;
    }
    report.orphans.push_back(o);
    report.orphan_bytes += o.size;
  }
  if (!apply) return report;
  for (const auto& o : report.orphans) {
    if (Status s = c.objects->Delete(o.key); !s.ok()) {
      report.failures.push_back(o.key);
      log::Warn("orphan not deleted", {{"key", o.key}, {"error", s.error().detail}});
      continue;
    }
    ++report.deleted;
  }
  log::Info("storage gc applied",
            {{"deleted", report.deleted}, {"bytes", static_cast<int64_t>(report.orphan_bytes)}});
  return report;
}

int StorageCommand(std::vector<std::string> args) {
  if (args.empty() || args.front() != "gc") return Usage();
  args.erase(args.begin());
  bool apply = false;
  int64_t min_age_s = 3600;
  std::vector<std::string> config_args;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--apply") {
      apply = true;
    } else if (args[i] == "--min-age" && i + 1 < args.size()) {
      char* end = nullptr;
      min_age_s = std::strtoll(args[++i].c_str(), &end, 10);
      if (*end != '\0' || min_age_s < 0) return Usage();
    } else {
      config_args.push_back(args[i]);
    }
  }
  auto load = LoadConfig(config_args, ProcessEnvironment());
  if (!load.problems.empty()) {
    for (const auto& p : load.problems) std::fprintf(stderr, "  - %s\n", p.c_str());
    return 2;
  }
  auto components = OpenComponents(load.config);
  if (!components.ok()) {
    std::fprintf(stderr, "veza admin: %s\n", components.error().message.c_str());
    return 1;
  }
  Components& c = **components;
  http::Router unused_routes;  // the domains are wired for their services; nothing is served
  WireDomains(c, unused_routes);
  auto report = CollectGarbage(c, apply, min_age_s * 1000);
  if (!report.ok()) {
    std::fprintf(stderr, "veza admin: %s [%s]\n", report.error().message.c_str(),
                 report.error().detail.c_str());
    return 1;
  }
  std::printf("SIZE\tMODIFIED\tKEY\n");
  for (const auto& o : report->orphans) {
    std::printf("%llu\t%s\t%s\n", static_cast<unsigned long long>(o.size),
                FormatRfc3339(o.modified_ms).c_str(), o.key.c_str());
  }
  std::printf("# %lld object(s) examined, %zu orphaned (%s)", static_cast<long long>(report->examined),
              report->orphans.size(), Human(report->orphan_bytes).c_str());
  if (apply) {
    std::printf(": deleted %lld, freed %s\n", static_cast<long long>(report->deleted),
                Human(report->orphan_bytes).c_str());
  } else {
    std::printf(" would be freed; run with --apply to delete them\n");
  }
  if (report->too_young > 0)
    std::printf("# %lld orphan(s) younger than %llds left alone\n", static_cast<long long>(report->too_young),
                static_cast<long long>(min_age_s));
  if (report->other_prefixes > 0)
    std::printf("# %lld object(s) under other prefixes not examined\n",
                static_cast<long long>(report->other_prefixes));
  return report->failures.empty() ? 0 : 1;
}

}  // namespace veza::app
