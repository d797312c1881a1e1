#include "app/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace veza::app {
namespace {

using Env = std::map<std::string, std::string>;

bool HasProblemMentioning(const ConfigLoad& load, std::string_view text) {
  for (const auto& p : load.problems) {
    if (p.find(text) != std::string::npos) return true;
  }
  return false;
}

std::string WriteFile(const std::string& name, const std::string& text) {
  std::string path = std::filesystem::temp_directory_path() / (name + std::to_string(::getpid()) + ".toml");
  std::ofstream(path) << text;
  return path;
}

TEST(Config, OAuthProvidersFromFileEnvAndFlags) {
  std::string file = WriteFile("oauth", "[oauth.spotify]\nclient_id = \"sp-id\"\nclient_secret = \"sp-secret\"\n");
  auto load = LoadConfig({"--config", file, "--set", "oauth.my_idp.token_url=https://idp.example/token"},
                         {{"VEZA_OAUTH_MY_IDP_CLIENT_ID", "cid"},
                          {"VEZA_OAUTH_MY_IDP_CLIENT_SECRET", "csecret"},
                          {"VEZA_OAUTH_MY_IDP_AUTHORIZE_URL", "https://idp.example/authorize"},
                          {"VEZA_OAUTH_MY_IDP_USERINFO_URL", "https://idp.example/userinfo"}});
  std::filesystem::remove(file);
  EXPECT_TRUE(load.problems.empty()) << (load.problems.empty() ? "" : load.problems[0]);
  EXPECT_EQ(load.config.oauth_providers.at("spotify").at("client_id"), "sp-id");
  EXPECT_EQ(load.config.oauth_providers.at("my_idp").at("client_secret"), "csecret");
  EXPECT_EQ(load.config.oauth_providers.at("my_idp").at("token_url"), "https://idp.example/token");
  std::string described = Describe(load.config);
  EXPECT_NE(described.find("oauth.my_idp.client_secret = \"<redacted>\""), std::string::npos);
  EXPECT_EQ(described.find("csecret"), std::string::npos);

  auto bad = LoadConfig({"--set", "oauth.github.client_id=x", "--set", "oauth.discord.client_id=d"},
                        {{"VEZA_OAUTH_DISCORD_COLOUR", "red"}});
  EXPECT_TRUE(HasProblemMentioning(bad, "oauth.github.authorize_url is required"));
  EXPECT_TRUE(HasProblemMentioning(bad, "oauth.discord.client_secret is required"));
  EXPECT_TRUE(HasProblemMentioning(bad, "VEZA_OAUTH_DISCORD_COLOUR"));
  auto prod_http = LoadConfig({"--set", "env=production", "--set", "oauth.x.client_id=a", "--set",
                               "oauth.x.client_secret=b", "--set", "oauth.x.authorize_url=http://idp/a", "--set",
                               "oauth.x.token_url=https://idp/t", "--set", "oauth.x.userinfo_url=https://idp/u"},
                              {});
  EXPECT_TRUE(HasProblemMentioning(prod_http, "oauth.x.authorize_url must be an https:// URL"));
}

TEST(Config, DefaultsAreEmbeddedAndValid) {
  auto load = LoadConfig({}, {});
  EXPECT_TRUE(load.problems.empty());
  EXPECT_EQ(load.config.listen, "127.0.0.1:8080");
  EXPECT_EQ(load.config.database_url, "sqlite:data/veza.db");
  EXPECT_EQ(load.config.objects_dir, "data/objects");
  EXPECT_EQ(load.config.log_format, "text");
}

TEST(Config, LayersApplyInOrderFileEnvFlags) {
  std::string file = WriteFile("layers", R"(
listen = "127.0.0.1:9000"
data_dir = "/srv/veza"
[http]
max_connections = 100
idle_timeout_ms = 5000
[cors]
allowed_origins = ["https://a.example", "https://b.example"]
)");
  Env env = {{"VEZA_HTTP_MAX_CONNECTIONS", "200"}, {"VEZA_LISTEN", "127.0.0.1:9001"}};
  auto load = LoadConfig({"--config", file, "--listen", "127.0.0.1:9002", "--set", "http.io_threads=3"}, env);
  ASSERT_TRUE(load.problems.empty()) << load.problems.front();
  EXPECT_EQ(load.config.listen, "127.0.0.1:9002");             // flag beats env beats file
  EXPECT_EQ(load.config.http_max_connections, 200);            // env beats file
  EXPECT_EQ(load.config.http_idle_timeout_ms, 5000);           // file beats default
  EXPECT_EQ(load.config.http_io_threads, 3);
  EXPECT_EQ(load.config.database_url, "sqlite:/srv/veza/veza.db");  // derived from data_dir
  EXPECT_EQ(load.config.cors_allowed_origins.size(), 2u);
  std::filesystem::remove(file);
}

TEST(Config, EveryProblemIsReported) {
  std::string file = WriteFile("bad", "[http]\nmax_connections = \"many\"\nnot_a_setting = 1\n");
  auto load = LoadConfig({"--config", file, "--listen", "nowhere", "--bogus"}, {{"VEZA_NODE_ID", "99"}});
  EXPECT_TRUE(HasProblemMentioning(load, "http.max_connections must be an integer"));
  EXPECT_TRUE(HasProblemMentioning(load, "unknown setting \"http.not_a_setting\""));
  EXPECT_TRUE(HasProblemMentioning(load, "listen must be HOST:PORT"));
  EXPECT_TRUE(HasProblemMentioning(load, "unknown flag --bogus"));
  EXPECT_TRUE(HasProblemMentioning(load, "VEZA_NODE_ID must be between 0 and 63"));
  std::filesystem::remove(file);
}

TEST(Config, SyntaxErrorsAreReportedNotThrown) {
  std::string file = WriteFile("syntax", "listen = \n");
  auto load = LoadConfig({"--config", file}, {});
  EXPECT_TRUE(HasProblemMentioning(load, "syntax error"));
  std::filesystem::remove(file);
}

TEST(Config, ProductionRefusesInsecureDefaultsAndNamesThem) {
  auto load = LoadConfig({}, {{"VEZA_ENV", "production"}});
  EXPECT_TRUE(HasProblemMentioning(load, "secrets.jwt"));
  EXPECT_TRUE(HasProblemMentioning(load, "secrets.stream_token"));
  EXPECT_TRUE(HasProblemMentioning(load, "public_url must use https://"));

  Env good = {{"VEZA_ENV", "production"},
              {"VEZA_SECRETS_JWT", std::string(40, 'j')},
              {"VEZA_SECRETS_STREAM_TOKEN", std::string(40, 's')},
              {"VEZA_PUBLIC_URL", "https://music.example"}};
  auto ok = LoadConfig({}, good);
  EXPECT_TRUE(ok.problems.empty()) << ok.problems.front();
  EXPECT_EQ(ok.config.log_format, "json");
}

TEST(Config, DescribeRedactsSecrets) {
  auto load = LoadConfig({"--database", "postgresql://veza:hunter2@db.example:5432/veza"},
                         {{"VEZA_SECRETS_JWT", "super-secret-value-that-is-long-enough"}});
  std::string text = Describe(load.config);
  EXPECT_EQ(text.find("hunter2"), std::string::npos);
  EXPECT_EQ(text.find("super-secret"), std::string::npos);
  EXPECT_NE(text.find("db.example:5432/veza"), std::string::npos);
  EXPECT_NE(text.find("VEZA_HTTP_MAX_CONNECTIONS"), std::string::npos);
}

TEST(Config, MediaDeliveryIsProxyOrRedirect) {
  EXPECT_EQ(LoadConfig({}, {}).config.media_delivery, "proxy");
  auto redirect = LoadConfig({}, {{"VEZA_MEDIA_DELIVERY", "redirect"}});
  EXPECT_TRUE(redirect.problems.empty());
  EXPECT_EQ(redirect.config.media_delivery, "redirect");
  auto bad = LoadConfig({"--set", "media.delivery=cdn"}, {});
  ASSERT_EQ(bad.problems.size(), 1u);
  EXPECT_NE(bad.problems[0].find("media.delivery must be proxy or redirect"), std::string::npos);
}

}  // namespace
}  // namespace veza::app
