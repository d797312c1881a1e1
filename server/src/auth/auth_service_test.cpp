#include "auth/auth_service.h"

#include <gtest/gtest.h>

#include "auth/jwt.h"
#include "auth/reauth.h"
#include "auth/stream_token.h"
#include "db/migrate.h"
#include "kv/memory_store.h"
#include "db/testing/test_database.h"

namespace veza::auth {
namespace {

class AuthServiceTest : public db::testing::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(db::Migrate(db(), db::EmbeddedMigrations()).ok());
    users_ = std::make_unique<users::UserService>(db(), ids_, clock_);
    mailer_ = std::make_unique<mail::Mailer>(db(), ids_, clock_, nullptr);
    auth_ = std::make_unique<AuthService>(db(), *users_, *mailer_, hasher_, guard_, ids_, clock_,
                                          AuthOptions{.jwt_secret = "jwt-secret", .stream_token_secret = "stream",
                                                      .public_url = "https://veza.test"});
  }

  SignIn Register(const std::string& name) {
    auto r = auth_->Register({.email = name + "@example.com", .username = name, .password = "tangerine-koala-88"},
                             {"10.0.0.1", "curl/8"});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return std::move(*r);
  }

  // The last link mailed to `to` with `template_name`, taken from the outbox.
  std::string LastToken(const std::string& to, const std::string& template_name) {
    auto entries = mail::ListOutbox(db(), 100);
    for (const auto& e : *entries) {
      if (e.to != to || e.template_name != template_name) continue;
      size_t at = e.text.find("token=");
      return e.text.substr(at + 6, e.text.find_first_of(" \n", at) - at - 6);
    }
    return "";
  }

  ManualClock clock_;
  IdGenerator ids_{clock_, 1};
  PasswordHasher hasher_{{.ops = 1, .mem_kib = 8 * 1024}};
  kv::MemoryStore kv_{clock_};
  LoginGuard guard_{kv_};
  std::unique_ptr<users::UserService> users_;
  std::unique_ptr<mail::Mailer> mailer_;
  std::unique_ptr<AuthService> auth_;
};

TEST_P(AuthServiceTest, RegisterRejectsWeakPasswordNamingTheRule) {
  auto r = auth_->Register({.email = "a@example.com", .username = "alice", .password = "password123"}, {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kValidation);
  EXPECT_NE(r.error().fields.at("password").find("common"), std::string::npos);
}

TEST_P(AuthServiceTest, LoginUniformFailureAndSuccess) {
  SignIn alice = Register("alice");
  EXPECT_EQ(alice.user.role, "admin");
  auto wrong = auth_->Login("alice", "wrong-password-1", {"10.0.0.2", ""});
  auto unknown = auth_->Login("nobody", "wrong-password-1", {"10.0.0.2", ""});
  ASSERT_FALSE(wrong.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(wrong.error().slug, unknown.error().slug);
  EXPECT_EQ(wrong.error().message, unknown.error().message);
  auto ok = auth_->Login("ALICE@example.com", "tangerine-koala-88", {"10.0.0.2", ""});
  ASSERT_TRUE(ok.ok());
  auto caller = auth_->Authenticate(ok->tokens.access_token);
  ASSERT_TRUE(caller.ok());
  EXPECT_EQ(caller->user_id, alice.user.id);
  EXPECT_EQ(caller->role, "admin");
}

TEST_P(AuthServiceTest, RefreshRotatesAndReuseRevokesTheSession) {
  SignIn s = Register("alice");
  auto r1 = auth_->Refresh(s.tokens.refresh_token, {});
  ASSERT_TRUE(r1.ok());
  EXPECT_NE(r1->refresh_token, s.tokens.refresh_token);
  auto r2 = auth_->Refresh(r1->refresh_token, {});
  ASSERT_TRUE(r2.ok());
  auto reuse = auth_->Refresh(s.tokens.refresh_token, {});
  ASSERT_FALSE(reuse.ok());
  EXPECT_EQ(reuse.error().slug, "refresh_token_reused");
  // The whole session is gone: the newest refresh token and the access token stop working.
  EXPECT_FALSE(auth_->Refresh(r2->refresh_token, {}).ok());
  EXPECT_FALSE(auth_->Authenticate(r2->access_token).ok());
  EXPECT_FALSE(auth_->Refresh("not-a-token", {}).ok());
}

TEST_P(AuthServiceTest, EndedSessionsStopAccessTokensAtOnce) {
  SignIn s = Register("alice");
  auto other = auth_->Login("alice", "tangerine-koala-88", {});
  ASSERT_TRUE(other.ok());
  Caller me = *auth_->Authenticate(s.tokens.access_token);
  auto sessions = auth_->ListSessions(me);
  ASSERT_EQ(sessions->size(), 2u);
  ASSERT_TRUE(auth_->EndSession(me, other->tokens.session_id).ok());
  EXPECT_FALSE(auth_->Authenticate(other->tokens.access_token).ok());
  EXPECT_EQ(auth_->EndSession(me, other->tokens.session_id).error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(auth_->Logout(me).ok());
  EXPECT_FALSE(auth_->Authenticate(s.tokens.access_token).ok());
}

TEST_P(AuthServiceTest, ExpiredAccessTokenRefused) {
  SignIn s = Register("alice");
  clock_.Advance(15 * 60 * 1000);
  auto r = auth_->Authenticate(s.tokens.access_token);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().slug, "token_expired");
}

TEST_P(AuthServiceTest, PasswordResetIsSingleUseExpiresAndEndsSessions) {
  SignIn s = Register("alice");
  ASSERT_TRUE(auth_->RequestPasswordReset("nobody@example.com").ok());
  ASSERT_TRUE(auth_->RequestPasswordReset("ALICE@example.com").ok());
  std::string token = LastToken("alice@example.com", "password_reset");
  ASSERT_FALSE(token.empty());
  EXPECT_EQ(auth_->ResetPassword(token, "short").error().code, ErrorCode::kValidation);
  ASSERT_TRUE(auth_->ResetPassword(token, "new-pass-phrase-42").ok());
  EXPECT_FALSE(auth_->ResetPassword(token, "another-phrase-43").ok());
  EXPECT_FALSE(auth_->Authenticate(s.tokens.access_token).ok());
  EXPECT_TRUE(auth_->Login("alice", "new-pass-phrase-42", {}).ok());

  ASSERT_TRUE(auth_->RequestPasswordReset("alice@example.com").ok());
  std::string late = LastToken("alice@example.com", "password_reset");
  clock_.Advance(3600 * 1000 + 1);
  EXPECT_FALSE(auth_->ResetPassword(late, "late-pass-phrase-44").ok());
}

TEST_P(AuthServiceTest, EmailVerification) {
  SignIn s = Register("alice");
  EXPECT_FALSE(s.user.email_verified);
  std::string token = LastToken("alice@example.com", "verify_email");
  ASSERT_FALSE(token.empty());
  ASSERT_TRUE(auth_->VerifyEmail(token).ok());
  EXPECT_FALSE(auth_->VerifyEmail(token).ok());
  EXPECT_TRUE(users_->Get(s.user.id)->email_verified);
}

TEST_P(AuthServiceTest, DisabledAccountCannotSignInAndItsSessionsEnd) {
  SignIn s = Register("alice");
  ASSERT_TRUE(auth_->SetAccountStatus(s.user.id, "disabled").ok());
  EXPECT_FALSE(auth_->Authenticate(s.tokens.access_token).ok());
  EXPECT_FALSE(auth_->Refresh(s.tokens.refresh_token, {}).ok());
  auto login = auth_->Login("alice", "tangerine-koala-88", {});
  ASSERT_FALSE(login.ok());
  EXPECT_EQ(login.error().slug, "account_disabled");
  ASSERT_TRUE(auth_->SetAccountStatus(s.user.id, "active").ok());
  EXPECT_TRUE(auth_->Login("alice", "tangerine-koala-88", {}).ok());
}

TEST_P(AuthServiceTest, RoleChangesApplyWithoutNewToken) {
  SignIn admin = Register("alice");
  SignIn bob = Register("bob");
  EXPECT_EQ(auth_->Authenticate(bob.tokens.access_token)->role, "user");
  ASSERT_TRUE(users_->SetRole(bob.user.id, users::Role::kCreator).ok());
  EXPECT_EQ(auth_->Authenticate(bob.tokens.access_token)->role, "creator");
}

TEST_P(AuthServiceTest, BruteForceSlowsTheAccountNotOthers) {
  Register("alice");
  Register("bob");
  for (int i = 0; i < 20; ++i) {
    (void)auth_->Login("alice", "wrong-password-x", {"10.0.1." + std::to_string(i % 4), ""});
  }
  auto blocked = auth_->Login("alice", "tangerine-koala-88", {"10.0.9.9", ""});
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code, ErrorCode::kRateLimited);
  EXPECT_GT(blocked.error().retry_after_s, 0);
  EXPECT_TRUE(auth_->Login("bob", "tangerine-koala-88", {"10.0.1.1", ""}).ok());
  // The owner was told once the failures reached the threshold.
  int warnings = 0;
  auto outbox = mail::ListOutbox(db(), 100);
  ASSERT_TRUE(outbox.ok());
  for (const auto& e : *outbox) warnings += e.template_name == "login_failures";
  EXPECT_EQ(warnings, 1);
}

TEST_P(AuthServiceTest, StreamTokens) {
  SignIn s = Register("alice");
  Caller me = *auth_->Authenticate(s.tokens.access_token);
  auto t = auth_->IssueStreamToken(me, "track:42");
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(VerifyStreamToken(t->token, "track:42", "stream", clock_.NowMs()).ok());
  EXPECT_EQ(auth_->IssueStreamToken(me, "everything").error().code, ErrorCode::kValidation);
}

TEST_P(AuthServiceTest, RecentSignInIsTheSessionsCreationNotItsLastRefresh) {
  SignIn alice = Register("alice");
  auto claims = VerifyAccessToken(alice.tokens.access_token, "jwt-secret", clock_.NowMs() / 1000);
  ASSERT_TRUE(claims.ok());
  int64_t sid = claims->session_id;
  constexpr int64_t kWindow = 10 * 60'000;
  EXPECT_TRUE(RequireRecentSignIn(db(), alice.user.id, sid, clock_.NowMs(), kWindow).ok());
  clock_.Advance(9 * 60'000);
  ASSERT_TRUE(auth_->Refresh(alice.tokens.refresh_token, {"10.0.0.1", "curl/8"}).ok());  // does not renew the proof
  clock_.Advance(2 * 60'000);
  Status stale = RequireRecentSignIn(db(), alice.user.id, sid, clock_.NowMs(), kWindow);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(stale.error().slug, "recent_sign_in_required");
  // Someone else's session proves nothing about this account.
  SignIn bob = Register("bob");
  auto bob_sid = VerifyAccessToken(bob.tokens.access_token, "jwt-secret", clock_.NowMs() / 1000)->session_id;
  EXPECT_FALSE(RequireRecentSignIn(db(), alice.user.id, bob_sid, clock_.NowMs(), kWindow).ok());
  EXPECT_TRUE(RequireRecentSignIn(db(), bob.user.id, bob_sid, clock_.NowMs(), kWindow).ok());
}

INSTANTIATE_TEST_SUITE_P(Engines, AuthServiceTest,
                         ::testing::Values(db::testing::Engine::kSqlite, db::testing::Engine::kPostgres),
                         db::testing::EngineParamName);

}  // namespace
}  // namespace veza::auth
