#include "auth/oauth.h"

#include <gtest/gtest.h>

namespace veza::auth {
namespace {

TEST(OAuthProviders, PresetsNeedOnlyCredentials) {
  auto spotify = ResolveOAuthProvider("spotify", {{"client_id", "id"}, {"client_secret", "secret"}}, true);
  ASSERT_TRUE(spotify.ok()) << spotify.error().message;
  EXPECT_EQ(spotify->authorize_url, "https://accounts.spotify.com/authorize");
  EXPECT_EQ(spotify->token_url, "https://accounts.spotify.com/api/token");
  EXPECT_EQ(spotify->userinfo_url, "https://api.spotify.com/v1/me");
  EXPECT_EQ(spotify->scopes, "user-read-email");
  EXPECT_EQ(spotify->id_field, "id");
  EXPECT_TRUE(spotify->email_verified_field.empty());
  auto discord = ResolveOAuthProvider("discord", {{"client_id", "id"}, {"client_secret", "s"}}, true);
  ASSERT_TRUE(discord.ok());
  EXPECT_EQ(discord->authorize_url, "https://discord.com/oauth2/authorize");
  EXPECT_EQ(discord->token_url, "https://discord.com/api/oauth2/token");
  EXPECT_EQ(discord->userinfo_url, "https://discord.com/api/users/@me");
  EXPECT_EQ(discord->scopes, "identify email");
  EXPECT_EQ(discord->email_verified_field, "verified");
  EXPECT_EQ(discord->display_name, "Discord");
}

TEST(OAuthProviders, CustomProvidersNeedUrlsAndNameEveryProblem) {
  auto bad = ResolveOAuthProvider("Bad Name", {{"token_auth", "magic"}, {"colour", "red"}}, false);
  ASSERT_FALSE(bad.ok());
  const auto& f = bad.error().fields;
  for (const char* key :
       {"oauth.Bad Name", "oauth.Bad Name.client_id", "oauth.Bad Name.client_secret",
        "oauth.Bad Name.authorize_url", "oauth.Bad Name.token_url", "oauth.Bad Name.userinfo_url",
        "oauth.Bad Name.token_auth", "oauth.Bad Name.colour"}) {
    EXPECT_TRUE(f.count(key)) << key;
  }
  std::map<std::string, std::string> oidc = {{"client_id", "c"},
                                             {"client_secret", "s"},
                                             {"authorize_url", "http://127.0.0.1:9/authorize"},
                                             {"token_url", "http://127.0.0.1:9/token"},
                                             {"userinfo_url", "http://127.0.0.1:9/userinfo"},
                                             {"scopes", "openid email profile"},
                                             {"token_auth", "body"}};
  auto dev = ResolveOAuthProvider("my-idp", oidc, false);
  ASSERT_TRUE(dev.ok());
  EXPECT_FALSE(dev->client_auth_basic);
  EXPECT_EQ(dev->id_field, "sub");
  EXPECT_EQ(dev->display_name, "My-idp");
  auto prod = ResolveOAuthProvider("my-idp", oidc, true);
  ASSERT_FALSE(prod.ok());
  EXPECT_EQ(prod.error().fields.at("oauth.my-idp.token_url"), "must be an https:// URL");
}

TEST(OAuthPkce, Rfc7636AppendixB) {
  EXPECT_EQ(PkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(OAuthUserinfo, ReadsClaimsWithProviderFieldNames) {
  auto discord = *ResolveOAuthProvider("discord", {{"client_id", "i"}, {"client_secret", "s"}}, true);
  auto id = ParseUserinfo(discord, R"({"id":"80351110224678912","username":"Nelly","global_name":"Nelly B",
                                      "email":"Nelly@Discord.com","verified":true})");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->subject, "80351110224678912");
  EXPECT_EQ(id->email, "nelly@discord.com");
  EXPECT_TRUE(id->email_verified);
  EXPECT_EQ(id->name, "Nelly B");
  EXPECT_EQ(id->username, "Nelly");
  auto unverified = ParseUserinfo(discord, R"({"id":12,"email":"a@b.co","verified":false})");
  ASSERT_TRUE(unverified.ok());
  EXPECT_EQ(unverified->subject, "12");
  EXPECT_FALSE(unverified->email_verified);
  auto spotify = *ResolveOAuthProvider("spotify", {{"client_id", "i"}, {"client_secret", "s"}}, true);
  auto sp = ParseUserinfo(spotify, R"({"id":"wizzler","email":"w@example.com","display_name":"JM Wizzler"})");
  ASSERT_TRUE(sp.ok());
  EXPECT_FALSE(sp->email_verified);  // Spotify never vouches
  for (const char* bad : {"[]", "not json", R"({"email":"x@y.z"})", R"({"id":null})", R"({"id":""})"}) {
    auto r = ParseUserinfo(discord, bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().slug, "bad_userinfo");
  }
}

TEST(OAuthUsernames, DerivedFromTheBestClaim) {
  EXPECT_EQ(DeriveUsernameBase({.username = "Nelly.B"}, "discord"), "nelly.b");
  EXPECT_EQ(DeriveUsernameBase({.name = "Jean-Michel Jarre"}, "spotify"), "jean-michel_jarre");
  EXPECT_EQ(DeriveUsernameBase({.email = "dj.x@example.com", .name = "!!"}, "x"), "dj.x");
  EXPECT_EQ(DeriveUsernameBase({.email = "a@b.c", .username = "admin"}, "spotify"), "spotify_user");
  EXPECT_EQ(DeriveUsernameBase({.username = std::string(60, 'a')}, "x").size(), 24u);
  EXPECT_EQ(DeriveUsernameBase({.username = "__ok__"}, "x"), "x_user");
}

TEST(OAuthRedirects, OnlyOurOwnPaths) {
  for (const char* ok : {"/", "/settings/connections", "/tracks/1?tab=comments#x"}) {
    EXPECT_TRUE(IsSafeRedirectPath(ok)) << ok;
  }
  for (const char* bad : {"", "https://evil.example", "//evil.example", "/\\evil.example", "settings", "/a b",
                          "/\x01", "javascript:alert(1)"}) {
    EXPECT_FALSE(IsSafeRedirectPath(bad)) << bad;
  }
}

}  // namespace
}  // namespace veza::auth
