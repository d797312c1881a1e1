#include "users/user_service.h"

#include <gtest/gtest.h>

#include "db/migrate.h"
#include "db/testing/test_database.h"

namespace veza::users {
namespace {

class UserServiceTest : public db::testing::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(db::Migrate(db(), db::EmbeddedMigrations()).ok());
    service_ = std::make_unique<UserService>(db(), ids_, clock_);
  }
  ManualClock clock_;
  IdGenerator ids_{clock_, 1};
  std::unique_ptr<UserService> service_;
};

TEST_P(UserServiceTest, FirstAccountIsAdminThenUsers) {
  auto first = service_->Create({.email = "A@Example.com", .username = "Alice", .password_hash = "x"});
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->role, "admin");
  EXPECT_EQ(first->username, "alice");
  EXPECT_EQ(first->email, "a@example.com");
  EXPECT_EQ(first->display_name, "alice");
  auto second = service_->Create({.email = "b@example.com", .username = "bob", .password_hash = "x"});
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->role, "user");
}

TEST_P(UserServiceTest, DuplicatesInAnyCaseConflict) {
  ASSERT_TRUE(service_->Create({.email = "a@example.com", .username = "alice", .password_hash = "x"}).ok());
  auto dup_email = service_->Create({.email = "A@EXAMPLE.COM", .username = "other", .password_hash = "x"});
  ASSERT_FALSE(dup_email.ok());
  EXPECT_EQ(dup_email.error().code, ErrorCode::kConflict);
  EXPECT_EQ(dup_email.error().fields.count("email"), 1u);
  auto dup_name = service_->Create({.email = "c@example.com", .username = "ALICE", .password_hash = "x"});
  ASSERT_FALSE(dup_name.ok());
  EXPECT_EQ(dup_name.error().code, ErrorCode::kConflict);
  EXPECT_EQ(dup_name.error().fields.count("username"), 1u);
}

TEST_P(UserServiceTest, ProfileUpdateValidatesEveryField) {
  auto u = service_->Create({.email = "a@example.com", .username = "alice", .password_hash = "x"});
  ASSERT_TRUE(u.ok());
  ProfileUpdate bad;
  bad.bio = std::string(1001, 'b');
  bad.website = "http://example.com";
  bad.language = "de";
  bad.social_links = std::vector<SocialLink>(11, SocialLink{"x", "https://x.com/a"});
  auto r = service_->UpdateProfile(u->id, bad);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kValidation);
  for (const char* f : {"bio", "website", "language", "social_links"}) EXPECT_EQ(r.error().fields.count(f), 1u) << f;

  ProfileUpdate good;
  good.bio = std::string(1000, 'b');
  good.social_links = std::vector<SocialLink>{{"spotify", "https://open.spotify.com/artist/1"}};
  good.is_private = true;
  good.language = "fr";
  auto ok = service_->UpdateProfile(u->id, good);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  auto again = service_->Get(u->id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->bio.size(), 1000u);
  ASSERT_EQ(again->social_links.size(), 1u);
  EXPECT_EQ(again->social_links[0].platform, "spotify");
  EXPECT_TRUE(again->is_private);
  EXPECT_EQ(again->language, "fr");
}

TEST_P(UserServiceTest, PrivateProfilesAreLimitedForOthers) {
  auto u = service_->Create({.email = "a@example.com", .username = "alice", .password_hash = "x"});
  ASSERT_TRUE(u.ok());
  ProfileUpdate p;
  p.is_private = true;
  ASSERT_TRUE(service_->UpdateProfile(u->id, p).ok());
  EXPECT_EQ(service_->View("alice", std::nullopt)->visibility, Visibility::kLimited);
  EXPECT_EQ(service_->View("ALICE", u->id)->visibility, Visibility::kSelf);
  ASSERT_TRUE(service_->SetStatus(u->id, "disabled").ok());
  EXPECT_EQ(service_->View("alice", std::nullopt).error().code, ErrorCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Engines, UserServiceTest,
                         ::testing::Values(db::testing::Engine::kSqlite, db::testing::Engine::kPostgres),
                         db::testing::EngineParamName);

}  // namespace
}  // namespace veza::users
