#include "users/user_validation.h"

#include <gtest/gtest.h>

namespace veza::users {
namespace {

TEST(Username, NormalisesAndChecksRules) {
  EXPECT_EQ(NormalizeUsername("  Alice.B "), "alice.b");
  EXPECT_FALSE(UsernameProblem("alice_b-1.x"));
  EXPECT_TRUE(UsernameProblem("ab"));
  EXPECT_TRUE(UsernameProblem(std::string(31, 'a')));
  EXPECT_TRUE(UsernameProblem("bad name"));
  EXPECT_TRUE(UsernameProblem("_leading"));
  EXPECT_TRUE(UsernameProblem("émile"));
}

TEST(Username, ReservedNamesRefused) {
  for (const char* name : {"admin", "api", "www", "settings", "me", "veza"}) {
    EXPECT_EQ(UsernameProblem(name), std::optional<std::string>("is reserved")) << name;
  }
}

TEST(Email, NormalisedAndChecked) {
  EXPECT_EQ(NormalizeEmail(" Alice@Example.COM "), "alice@example.com");
  EXPECT_FALSE(EmailProblem("a@b.co"));
  for (const char* bad : {"nope", "@b.co", "a@", "a@b", "a@@b.co", "a b@c.de", "a@.b.co", "a@b..co"}) {
    EXPECT_TRUE(EmailProblem(bad)) << bad;
  }
  EXPECT_TRUE(EmailProblem(std::string(250, 'a') + "@b.co"));
}

TEST(Links, HttpsOnlyAndKnownPlatforms) {
  EXPECT_FALSE(HttpsUrlProblem("https://example.com/x?y#z"));
  EXPECT_TRUE(HttpsUrlProblem("http://example.com"));
  EXPECT_TRUE(HttpsUrlProblem("javascript:alert(1)"));
  EXPECT_TRUE(HttpsUrlProblem("https://user:pw@example.com"));
  EXPECT_TRUE(HttpsUrlProblem("https://exa mple.com"));
  EXPECT_TRUE(HttpsUrlProblem("https://localhost"));
  EXPECT_TRUE(HttpsUrlProblem("https://example.com/" + std::string(300, 'a')));
  EXPECT_FALSE(SocialLinkProblem({"spotify", "https://open.spotify.com/artist/1"}));
  EXPECT_FALSE(SocialLinkProblem({"x", "https://x.com/someone"}));
  EXPECT_FALSE(SocialLinkProblem({"website", "https://my.band.example"}));
  EXPECT_TRUE(SocialLinkProblem({"spotify", "https://evil.example/spotify.com"}));
  EXPECT_TRUE(SocialLinkProblem({"spotify", "https://notspotify.com/"}));
  EXPECT_TRUE(SocialLinkProblem({"myspace", "https://myspace.com/x"}));
  EXPECT_TRUE(SocialLinkProblem({"soundcloud", "http://soundcloud.com/x"}));
}

TEST(Language, EnOrFr) {
  EXPECT_FALSE(LanguageProblem("en"));
  EXPECT_FALSE(LanguageProblem("fr"));
  EXPECT_TRUE(LanguageProblem("de"));
}

}  // namespace
}  // namespace veza::users
