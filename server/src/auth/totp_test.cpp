#include "auth/totp.h"

#include <gtest/gtest.h>

#include "auth/auth_service.h"
#include "auth/totp_service.h"
#include "auth/totp_store.h"
#include "db/migrate.h"
#include "kv/memory_store.h"
#include "db/testing/test_database.h"

namespace veza::auth {
namespace {

const std::string kRfcKey = "12345678901234567890";  // RFC 6238 Appendix B, SHA-1

TEST(Totp, Rfc6238AppendixBVectorsSha1EightDigits) {
  const std::pair<int64_t, const char*> vectors[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"},
  };
  for (auto [t, code] : vectors) EXPECT_EQ(totp::CodeAt(kRfcKey, t, 8), code) << t;
}

TEST(Totp, Rfc4226AppendixDHotpValues) {
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (int i = 0; i < 10; ++i) EXPECT_EQ(totp::Hotp(kRfcKey, i, 6), expected[i]) << i;
}

TEST(Totp, Base32RoundTripAndRfc4648Vectors) {
  EXPECT_EQ(totp::Base32Encode("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(totp::Base32Encode("f"), "MY");
  EXPECT_EQ(totp::Base32Decode("mzxw6ytboi======"), "foobar");
  EXPECT_EQ(totp::Base32Decode("MZXW 6YTB OI"), "foobar");
  EXPECT_FALSE(totp::Base32Decode("MZ1W").has_value());
  EXPECT_EQ(totp::Base32Encode(kRfcKey), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(totp::Base32Decode(totp::Base32Encode(kRfcKey)), kRfcKey);
}

TEST(Totp, WindowAcceptsOneStepEitherSideOnly) {
  int64_t now = 1'700'000'015;  // mid-step
  int64_t step = totp::StepAt(now);
  for (int d = -1; d <= 1; ++d) {
    EXPECT_EQ(totp::MatchStep(kRfcKey, totp::Hotp(kRfcKey, step + d), now, 0), step + d) << d;
  }
  EXPECT_FALSE(totp::MatchStep(kRfcKey, totp::Hotp(kRfcKey, step - 2), now, 0));
  EXPECT_FALSE(totp::MatchStep(kRfcKey, totp::Hotp(kRfcKey, step + 2), now, 0));
  EXPECT_FALSE(totp::MatchStep(kRfcKey, "12345", now, 0));
  EXPECT_FALSE(totp::MatchStep(kRfcKey, "abcdef", now, 0));
}

TEST(Totp, UsedStepAndOlderStepsAreRefused) {
  int64_t now = 1'700'000'015;
  int64_t step = totp::StepAt(now);
  std::string code = totp::Hotp(kRfcKey, step);
  EXPECT_FALSE(totp::MatchStep(kRfcKey, code, now, step));
  EXPECT_FALSE(totp::MatchStep(kRfcKey, totp::Hotp(kRfcKey, step - 1), now, step));
  EXPECT_EQ(totp::MatchStep(kRfcKey, totp::Hotp(kRfcKey, step + 1), now, step), step + 1);
}

TEST(Totp, OtpauthUriAndQrSvg) {
  std::string uri = totp::OtpauthUri("Veza", "lena k", "JBSWY3DPEHPK3PXP");
  EXPECT_EQ(
      uri,
      "otpauth://totp/Veza:lena%20k?secret=JBSWY3DPEHPK3PXP&issuer=Veza&algorithm=SHA1&digits=6&period=30");
  auto svg = totp::QrSvg(uri);
  ASSERT_TRUE(svg.has_value());
  EXPECT_EQ(svg->rfind("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ", 0), 0u);
  EXPECT_NE(svg->find("<path fill=\"#000\" d=\"M4 4h7"), std::string::npos);  // the top-left finder pattern
  EXPECT_EQ(svg->substr(svg->size() - 6), "</svg>");
}

class TotpServiceTest : public db::testing::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(db::Migrate(db(), db::EmbeddedMigrations()).ok());
    users_ = std::make_unique<users::UserService>(db(), ids_, clock_);
    mailer_ = std::make_unique<mail::Mailer>(db(), ids_, clock_, nullptr);
    totp_ = std::make_unique<TotpService>(db(), *users_, hasher_, clock_, box_);
    auth_ = std::make_unique<AuthService>(db(), *users_, *mailer_, hasher_, guard_, ids_, clock_,
                                          AuthOptions{.jwt_secret = "j", .stream_token_secret = "s"},
                                          totp_.get());
    auto r = auth_->Register({.email = "lena@example.com", .username = "lena", .password = kPassword}, {});
    ASSERT_TRUE(r.ok());
    user_id_ = r->user.id;
  }

  std::string StoredSecret() {
    auto row = db().ReadValue<std::optional<totp_store::TotpRow>>(
        [&](db::Session& s) { return totp_store::Find(s, user_id_); });
    return row.ok() && *row ? (*row)->secret : "";
  }
  void StorePlaintext(const std::string& base32) {
    ASSERT_TRUE(db().InTransaction([&](db::Session& s) -> Status {
      return totp_store::PutPending(s, user_id_, base32, clock_.NowMs());
    }).ok());
  }

  std::string Key(const std::string& secret) { return *totp::Base32Decode(secret); }
  std::string CodeNow(const std::string& key, int64_t offset_steps = 0) {
    return totp::Hotp(key, totp::StepAt(clock_.NowMs() / 1000) + offset_steps);
  }
  // Sets up and enables 2FA; returns the key and the recovery codes.
  std::pair<std::string, std::vector<std::string>> Enroll() {
    auto setup = totp_->Setup(user_id_);
    EXPECT_TRUE(setup.ok());
    std::string key = Key(setup->secret);
    auto codes = totp_->Enable(user_id_, CodeNow(key));
    EXPECT_TRUE(codes.ok());
    clock_.Advance(30'000);
    return {key, codes.ok() ? *codes : std::vector<std::string>{}};
  }

  static constexpr const char* kPassword = "tangerine-koala-88";
  ManualClock clock_{1'700'000'010'000};
  IdGenerator ids_{clock_, 1};
  PasswordHasher hasher_{{.ops = 1, .mem_kib = 8 * 1024}};
  kv::MemoryStore kv_{clock_};
  LoginGuard guard_{kv_};
  SecretBox box_{"server-secret-one"};
  std::unique_ptr<users::UserService> users_;
  std::unique_ptr<mail::Mailer> mailer_;
  std::unique_ptr<TotpService> totp_;
  std::unique_ptr<AuthService> auth_;
  int64_t user_id_ = 0;
};

TEST_P(TotpServiceTest, SetupThenEnableWithACurrentCode) {
  auto setup = totp_->Setup(user_id_);
  ASSERT_TRUE(setup.ok());
  EXPECT_EQ(setup->secret.size(), 32u);  // 160 bits
  EXPECT_NE(setup->otpauth_uri.find("otpauth://totp/Veza:lena?secret=" + setup->secret), std::string::npos);
  EXPECT_EQ(setup->qr_svg.rfind("<svg", 0), 0u);
  EXPECT_FALSE(*totp_->IsEnabled(user_id_));
  auto wrong = totp_->Enable(user_id_, "000000");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().slug, "invalid_code");
  auto codes = totp_->Enable(user_id_, CodeNow(Key(setup->secret)));
  ASSERT_TRUE(codes.ok());
  EXPECT_EQ(codes->size(), 10u);
  EXPECT_EQ(std::set<std::string>(codes->begin(), codes->end()).size(), 10u);
  EXPECT_EQ((*codes)[0].size(), 19u);  // xxxx-xxxx-xxxx-xxxx
  EXPECT_TRUE(*totp_->IsEnabled(user_id_));
  EXPECT_EQ(totp_->GetStatus(user_id_)->recovery_codes_left, 10);
  auto again = totp_->Setup(user_id_);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().slug, "totp_already_enabled");
}

TEST_P(TotpServiceTest, LoginNeedsTheCodeAndACodeWorksOnce) {
  auto [key, recovery] = Enroll();
  auto bare = auth_->Login("lena", kPassword, {"10.0.0.1", ""});
  ASSERT_FALSE(bare.ok());
  EXPECT_EQ(bare.error().slug, "totp_required");
  EXPECT_EQ(bare.error().code, ErrorCode::kUnauthenticated);

  std::string code = CodeNow(key);
  ASSERT_TRUE(auth_->Login("lena", kPassword, {"10.0.0.1", ""}, {.totp_code = code}).ok());
  // Same code again, still inside its window: replay refused.
  auto replay = auth_->Login("lena", kPassword, {"10.0.0.1", ""}, {.totp_code = code});
  ASSERT_FALSE(replay.ok());
  EXPECT_EQ(replay.error().slug, "invalid_totp_code");
  // The previous step's code is older than the one used: refused too.
  EXPECT_FALSE(auth_->Login("lena", kPassword, {"10.0.0.1", ""}, {.totp_code = CodeNow(key, -1)}).ok());
  // The next step's code (clock skew) is fine once.
  EXPECT_TRUE(auth_->Login("lena", kPassword, {"10.0.0.1", ""}, {.totp_code = CodeNow(key, 1)}).ok());
  clock_.Advance(60'000);
  EXPECT_TRUE(auth_->Login("lena", kPassword, {"10.0.0.1", ""}, {.totp_code = CodeNow(key)}).ok());
}

TEST_P(TotpServiceTest, RecoveryCodesAreSingleUse) {
  auto [key, recovery] = Enroll();
  std::string upper = recovery[3];
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  ASSERT_TRUE(auth_->Login("lena", kPassword, {"10.0.0.1", ""}, {.recovery_code = upper}).ok());
  auto again = auth_->Login("lena", kPassword, {"10.0.0.1", ""}, {.recovery_code = recovery[3]});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().slug, "invalid_recovery_code");
  EXPECT_EQ(totp_->GetStatus(user_id_)->recovery_codes_left, 9);
}

TEST_P(TotpServiceTest, WrongCodesFeedTheBruteForceGuard) {
  auto [key, recovery] = Enroll();
  for (int i = 0; i < 5; ++i) {
    auto r = auth_->Login("lena", kPassword, {"10.0.0.9", ""}, {.totp_code = "000000"});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().slug, "invalid_totp_code");
  }
  (void)auth_->Login("lena", kPassword, {"10.0.0.9", ""}, {.totp_code = "000000"});
  // Past the free allowance: even the right code waits.
  auto slowed = auth_->Login("lena", kPassword, {"10.0.0.10", ""}, {.totp_code = CodeNow(key)});
  ASSERT_FALSE(slowed.ok());
  EXPECT_EQ(slowed.error().code, ErrorCode::kRateLimited);
  EXPECT_GT(slowed.error().retry_after_s, 0);
}

TEST_P(TotpServiceTest, DisableNeedsPasswordAndCode) {
  auto [key, recovery] = Enroll();
  auto no_pw = totp_->Disable(user_id_, "wrong-password-1", CodeNow(key), 0);
  ASSERT_FALSE(no_pw.ok());
  EXPECT_EQ(no_pw.error().slug, "wrong_password");
  auto no_code = totp_->Disable(user_id_, kPassword, "123456", 0);
  ASSERT_FALSE(no_code.ok());
  EXPECT_EQ(no_code.error().slug, "invalid_code");
  ASSERT_TRUE(totp_->Disable(user_id_, kPassword, CodeNow(key), 0).ok());
  EXPECT_FALSE(*totp_->IsEnabled(user_id_));
  EXPECT_TRUE(auth_->Login("lena", kPassword, {"10.0.0.1", ""}).ok());
  auto twice = totp_->Disable(user_id_, kPassword, CodeNow(key), 0);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().slug, "totp_not_enabled");
}

TEST_P(TotpServiceTest, DisableWithARecoveryCode) {
  auto [key, recovery] = Enroll();
  ASSERT_TRUE(totp_->Disable(user_id_, kPassword, recovery[0], 0).ok());
  EXPECT_FALSE(*totp_->IsEnabled(user_id_));
}

TEST_P(TotpServiceTest, TheColumnNeverHoldsTheSecret) {
  auto setup = totp_->Setup(user_id_);
  ASSERT_TRUE(setup.ok());
  std::string stored = StoredSecret();
  EXPECT_EQ(stored.rfind("v1:", 0), 0u) << stored;
  EXPECT_EQ(stored.find(setup->secret), std::string::npos);
  ASSERT_TRUE(totp_->Enable(user_id_, CodeNow(Key(setup->secret))).ok());
  EXPECT_EQ(StoredSecret().find(setup->secret), std::string::npos);
  clock_.Advance(30'000);
  EXPECT_TRUE(auth_->Login("lena", kPassword, {"10.0.0.1", ""}, {.totp_code = CodeNow(Key(setup->secret))}).ok());
  EXPECT_EQ(*totp_->SealStoredSecrets(), 0);  // nothing left to seal
}

TEST_P(TotpServiceTest, PlaintextRowsAreReadThenSealedAtStartup) {
  const std::string legacy = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
  StorePlaintext(legacy);
  ASSERT_TRUE(totp_->Enable(user_id_, CodeNow(Key(legacy))).ok());  // still readable before the sweep
  EXPECT_EQ(*totp_->SealStoredSecrets(), 1);
  std::string stored = StoredSecret();
  EXPECT_EQ(stored.rfind("v1:", 0), 0u);
  EXPECT_EQ(stored.find(legacy), std::string::npos);
  clock_.Advance(30'000);
  EXPECT_TRUE(auth_->Login("lena", kPassword, {"10.0.0.1", ""}, {.totp_code = CodeNow(Key(legacy))}).ok());
}

TEST_P(TotpServiceTest, RotatingTheServerSecretNeedsThePreviousOneToReseal) {
  auto [key, recovery] = Enroll();
  std::string sealed_before = StoredSecret();
  // A rotation without secrets.previous_jwt: the stored secrets cannot be opened, and startup says so.
  SecretBox rotated_alone("server-secret-two");
  TotpService lost(db(), *users_, hasher_, clock_, rotated_alone);
  EXPECT_FALSE(lost.SealStoredSecrets().ok());
  EXPECT_FALSE(lost.Verify(user_id_, {.totp_code = CodeNow(key)}).ok());
  // With the previous secret the sweep re-seals every row under the new key.
  SecretBox rotated("server-secret-two", "server-secret-one");
  TotpService moved(db(), *users_, hasher_, clock_, rotated);
  EXPECT_EQ(*moved.SealStoredSecrets(), 1);
  EXPECT_NE(StoredSecret(), sealed_before);
  EXPECT_TRUE(lost.Verify(user_id_, {.totp_code = CodeNow(key)}).ok());  // the new key alone now suffices
}

TEST(SecretBox, SealedTextIsBoundToItsRowAndTamperEvident) {
  SecretBox box("k");
  std::string sealed = box.Seal("JBSWY3DPEHPK3PXP", "veza-totp:1");
  EXPECT_NE(sealed, box.Seal("JBSWY3DPEHPK3PXP", "veza-totp:1"));  // random nonce
  EXPECT_EQ(*box.Open(sealed, "veza-totp:1"), "JBSWY3DPEHPK3PXP");
  EXPECT_FALSE(box.Open(sealed, "veza-totp:2").ok());
  std::string flipped = sealed;
  flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(box.Open(flipped, "veza-totp:1").ok());
  EXPECT_FALSE(box.Open("v2:" + sealed.substr(3), "veza-totp:1").ok());
  EXPECT_FALSE(SecretBox("other").Open(sealed, "veza-totp:1").ok());
}

INSTANTIATE_TEST_SUITE_P(Engines, TotpServiceTest,
                         ::testing::Values(db::testing::Engine::kSqlite, db::testing::Engine::kPostgres),
                         db::testing::EngineParamName);

}  // namespace
}  // namespace veza::auth
