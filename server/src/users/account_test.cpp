// Avatars, banners, export and deletion through the services, on a real database of each engine and a
// real local object store.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/json.h"
#include "db/migrate.h"
#include "db/testing/test_database.h"
#include "storage/local_store.h"
#include "users/account_service.h"
#include "users/profile_media.h"
#include "users/user_store.h"

namespace veza::users {
namespace {

namespace fs = std::filesystem;

uint32_t Crc32(std::string_view data) {
  uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

std::string Be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

std::string Chunk(std::string_view type, std::string_view data) {
  std::string body = std::string(type) + std::string(data);
  return Be32(static_cast<uint32_t>(data.size())) + body + Be32(Crc32(body));
}

// An RGB PNG written by hand (zlib "stored" blocks), so this test needs no image library.
std::string Png(int w, int h, unsigned char r, unsigned char g, unsigned char b) {
  std::string raw;
  for (int y = 0; y < h; ++y) {
    raw += '\0';
    for (int x = 0; x < w; ++x) raw += {static_cast<char>(r), static_cast<char>(g), static_cast<char>(b)};
  }
  std::string z = "\x78\x01";
  for (size_t at = 0; at < raw.size() || at == 0; at += 65535) {
    size_t n = std::min<size_t>(65535, raw.size() - at);
    bool last = at + n >= raw.size();
    z += static_cast<char>(last ? 1 : 0);
    z += {static_cast<char>(n & 0xff), static_cast<char>(n >> 8), static_cast<char>(~n & 0xff),
          static_cast<char>((~n >> 8) & 0xff)};
    z += raw.substr(at, n);
    if (last) break;
  }
  uint32_t a = 1, bsum = 0;
  for (unsigned char c : raw) a = (a + c) % 65521, bsum = (bsum + a) % 65521;
  z += Be32((bsum << 16) | a);
  std::string ihdr = Be32(w) + Be32(h) + std::string("\x08\x02\x00\x00\x00", 5);
  return std::string("\x89PNG\r\n\x1A\n") + Chunk("IHDR", ihdr) + Chunk("IDAT", z) + Chunk("IEND", "");
}

NewUser Account(std::string email, std::string username, std::string password_hash) {
  NewUser u;
  u.email = std::move(email);
  u.username = std::move(username);
  u.password_hash = std::move(password_hash);
  return u;
}

class AccountTest : public db::testing::EngineTest {
 protected:
  static constexpr int64_t kRecentSession = 42;  // the hook's stand-in for a session signed in just now

  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(db::Migrate(db(), db::EmbeddedMigrations()).ok());
    dir_ = fs::temp_directory_path() /
           ("veza-account-test-" + std::to_string(::getpid()) + "-" + std::to_string(ids_.Next()));
    auto store = storage::LocalObjectStore::Open((dir_ / "objects").string());
    ASSERT_TRUE(store.ok());
    objects_ = std::move(*store);
    users_ = std::make_unique<UserService>(db(), ids_, clock_, UserOptions{.username_grace_ms = 1000});
    media_ = std::make_unique<ProfileMediaService>(db(), *objects_, *users_, ids_, clock_);
    AccountHooks hooks{
        .verify_password = [](const std::string& hash,
                              std::string_view pw) { return hash == "hash:" + std::string(pw); },
        .end_sessions =
            [this](int64_t id) {
              ended_.push_back(id);
              return Ok();
            },
        .require_recent_sign_in =
            [this](int64_t user_id, int64_t session_id) {
              return session_id == kRecentSession ? Ok() : Status(MakeError(ErrorCode::kForbidden, "old", "recent_sign_in_required"));
            }};
    accounts_ = std::make_unique<AccountService>(db(), *users_, *media_, clock_, hooks);
    auto u = users_->Create(Account("Alice@Example.com", "alice", "hash:pw"));
    ASSERT_TRUE(u.ok());
    alice_ = *u;
  }
  void TearDown() override {
    EngineTest::TearDown();
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  std::string WriteUpload(const std::string& bytes) {
    std::string path = (dir_ / ("upload-" + std::to_string(ids_.Next()))).string();
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  bool Exists(const std::string& key) { return objects_->Stat(key).ok(); }

  json::bj::object Export() {
    auto doc = accounts_->Export(alice_.id);
    EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error().detail);
    auto v = json::Parse(*doc);
    EXPECT_TRUE(v.ok());
    return v->as_object();
  }

  ManualClock clock_;
  IdGenerator ids_{clock_, 1};
  fs::path dir_;
  std::unique_ptr<storage::LocalObjectStore> objects_;
  std::unique_ptr<UserService> users_;
  std::unique_ptr<ProfileMediaService> media_;
  std::unique_ptr<AccountService> accounts_;
  std::vector<int64_t> ended_;
  User alice_;
};

TEST_P(AccountTest, AvatarRenditionsAreStoredAndTheOldVersionDeleted) {
  auto first = media_->Replace(alice_.id, ImageKind::kAvatar, WriteUpload(Png(300, 200, 200, 10, 10)));
  ASSERT_TRUE(first.ok()) << first.error().message << first.error().detail;
  const std::string base = first->avatar_key;
  ASSERT_EQ(base.rfind("users/" + IdToString(alice_.id) + "/avatar-", 0), 0u) << base;
  EXPECT_TRUE(Exists(base + "-512.jpg"));
  EXPECT_TRUE(Exists(base + "-128.jpg"));

  auto small = media_->Find("ALICE", ImageKind::kAvatar, "128");
  ASSERT_TRUE(small.ok());
  ASSERT_TRUE(small->local_path.has_value());
  EXPECT_EQ(small->size, fs::file_size(*small->local_path));
  EXPECT_EQ(small->version, std::string(KeyVersion(base)));
  EXPECT_EQ(small->etag, "\"" + small->version + "-128\"");
  EXPECT_EQ(media_->Find("alice", ImageKind::kAvatar, "")->key, base + "-512.jpg");
  EXPECT_EQ(media_->Find("alice", ImageKind::kAvatar, "300").error().code, ErrorCode::kValidation);
  EXPECT_EQ(media_->Find("alice", ImageKind::kBanner, "").error().code, ErrorCode::kNotFound);

  auto second = media_->Replace(alice_.id, ImageKind::kAvatar, WriteUpload(Png(64, 64, 0, 0, 200)));
  ASSERT_TRUE(second.ok());
  EXPECT_NE(second->avatar_key, base);
  EXPECT_FALSE(Exists(base + "-512.jpg"));
  EXPECT_FALSE(Exists(base + "-128.jpg"));
  EXPECT_TRUE(Exists(second->avatar_key + "-128.jpg"));

  auto removed = media_->Remove(alice_.id, ImageKind::kAvatar);
  ASSERT_TRUE(removed.ok());
  EXPECT_TRUE(removed->avatar_key.empty());
  EXPECT_FALSE(Exists(second->avatar_key + "-512.jpg"));
  EXPECT_EQ(media_->Find("alice", ImageKind::kAvatar, "").error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(media_->Remove(alice_.id, ImageKind::kAvatar).ok());
}

TEST_P(AccountTest, BannerIsOneCroppedRendition) {
  auto u = media_->Replace(alice_.id, ImageKind::kBanner, WriteUpload(Png(90, 90, 10, 200, 10)));
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(Exists(u->banner_key + "-1500x500.jpg"));
  EXPECT_TRUE(u->avatar_key.empty());
}

TEST_P(AccountTest, BadUploadsChangeNothing) {
  auto text = media_->Replace(alice_.id, ImageKind::kAvatar, WriteUpload("hello, not an image"));
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().code, ErrorCode::kUnsupportedMediaType);
  std::string png = Png(100, 100, 1, 2, 3);
  auto truncated = media_->Replace(alice_.id, ImageKind::kAvatar, WriteUpload(png.substr(0, png.size() / 2)));
  ASSERT_FALSE(truncated.ok());
  EXPECT_EQ(truncated.error().code, ErrorCode::kValidation);
  EXPECT_TRUE(users_->Get(alice_.id)->avatar_key.empty());
  EXPECT_TRUE(objects_->List("users/")->empty());
}

TEST_P(AccountTest, ExportHoldsProfileSessionsMailsAndNoSecrets) {
  ASSERT_TRUE(
      db().InTransaction([&](db::Session& s) -> Status {
            VEZA_TRY(
                s.Execute("INSERT INTO auth_sessions (id, user_id, user_agent, ip, created_at, last_seen_at, "
                          "expires_at) "
                          "VALUES (77, $1, 'Firefox', '192.0.2.1', 1, 2, 3)",
                          {alice_.id}));
            VEZA_TRY(
                s.Execute("INSERT INTO auth_refresh_tokens (token_hash, session_id, created_at) "
                          "VALUES ('refresh-hash-secret', 77, 1)"));
            VEZA_TRY(s.Execute(
                "INSERT INTO mail_outbox (id, to_address, template, language, subject, text_body, html_body, "
                "created_at) VALUES (5, 'alice@example.com', 'password_reset', 'en', 'Reset', "
                "'Open https://veza.test/reset?token=abcDEF123_- now', '<a>html</a>', 4)"));
            VEZA_TRY(s.Execute(
                "INSERT INTO mail_outbox (id, to_address, template, language, subject, text_body, html_body, "
                "created_at) VALUES (6, 'bob@example.com', 'welcome', 'en', 'Hi', 'x', 'x', 4)"));
            return Ok();
          })
          .ok());
  auto doc = Export();
  EXPECT_EQ(doc.at("profile").as_object().at("email").as_string(), "alice@example.com");
  EXPECT_FALSE(doc.at("profile").as_object().contains("password_hash"));
  const auto& sessions = doc.at("sessions").as_array();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].as_object().at("id").as_string(), "77");
  EXPECT_EQ(sessions[0].as_object().at("user_agent").as_string(), "Firefox");
  EXPECT_EQ(sessions[0].as_object().at("created_at").as_string(), "1970-01-01T00:00:00.001Z");
  const auto& mails = doc.at("mails").as_array();
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].as_object().at("text_body").as_string(),
            "Open https://veza.test/reset?token=[redacted] now");
  EXPECT_TRUE(doc.at("tracks").as_array().empty());
  EXPECT_TRUE(doc.at("connections").as_array().empty());
  std::string text = json::Serialize(doc);
  for (const char* secret : {"hash:pw", "refresh-hash-secret", "abcDEF123", "<a>html"}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << secret;
  }

  ASSERT_TRUE(db().InTransaction([&](db::Session& s) -> Status {
                    // The tracks domain's table (migration 0004), written directly: only the export is under test.
                    constexpr const char* kInsert =
                        "INSERT INTO tracks (id, user_id, title, original_format, original_container, "
                        "original_codec, original_mime_type, original_extension, original_size, created_at, "
                        "updated_at) VALUES ($1, $2, $3, 'flac', 'flac', 'flac', 'audio/flac', 'flac', 10, 1000, 1000)";
                    VEZA_TRY(s.Execute(kInsert, {int64_t{9}, alice_.id, std::string("Song")}));
                    VEZA_TRY(s.Execute(kInsert, {int64_t{10}, int64_t{42}, std::string("Not hers")}));
                    return Ok();
                  })
                  .ok());
  auto with_tracks = Export();
  const auto& tracks = with_tracks.at("tracks").as_array();
  ASSERT_EQ(tracks.size(), 1u);
  EXPECT_EQ(tracks[0].as_object().at("title").as_string(), "Song");
  EXPECT_EQ(tracks[0].as_object().at("id").as_string(), "9");
  EXPECT_FALSE(tracks[0].as_object().contains("user_id"));
}

TEST_P(AccountTest, DeletionChecksThePasswordThenPurges) {
  auto with_avatar = media_->Replace(alice_.id, ImageKind::kAvatar, WriteUpload(Png(50, 50, 9, 9, 9)));
  ASSERT_TRUE(with_avatar.ok());
  ProfileUpdate p;
  p.bio = "my bio";
  p.location = "Lyon";
  ASSERT_TRUE(users_->UpdateProfile(alice_.id, p).ok());
  ASSERT_TRUE(
      db().InTransaction([&](db::Session& s) -> Status {
            VEZA_TRY(s.Execute(
                "INSERT INTO mail_outbox (id, to_address, template, language, subject, text_body, html_body, "
                "created_at) VALUES (5, 'alice@example.com', 'welcome', 'en', 'Hi', 'x', 'x', 4)"));
            return Ok();
          })
          .ok());

  Status wrong = accounts_->Delete(alice_.id, "nope", 0);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kValidation);
  EXPECT_EQ(wrong.error().slug, "wrong_password");
  EXPECT_EQ(wrong.error().fields.count("password"), 1u);
  EXPECT_TRUE(ended_.empty());
  EXPECT_TRUE(users_->Get(alice_.id).ok());

  ASSERT_TRUE(accounts_->Delete(alice_.id, "pw", 0).ok());
  EXPECT_EQ(ended_, std::vector<int64_t>{alice_.id});
  EXPECT_EQ(users_->Get(alice_.id).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(users_->View("alice", std::nullopt).error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(*users_->FindByLogin("alice"));
  EXPECT_FALSE(*users_->FindByEmail("alice@example.com"));
  EXPECT_FALSE(Exists(with_avatar->avatar_key + "-512.jpg"));
  EXPECT_FALSE(users_->SetPasswordHash(alice_.id, "hash:new").ok());
  EXPECT_FALSE(users_->SetStatus(alice_.id, "active").ok());

  auto row =
      db().ReadValue<std::optional<User>>([&](db::Session& s) { return store::FindById(s, alice_.id); });
  ASSERT_TRUE(row.ok() && row->has_value());
  const User& tomb = **row;
  EXPECT_EQ(tomb.status, "deleted");
  EXPECT_EQ(tomb.username, "alice");
  EXPECT_EQ(tomb.email.find("alice"), std::string::npos);
  EXPECT_TRUE(tomb.password_hash.empty());
  EXPECT_TRUE(tomb.bio.empty());
  EXPECT_TRUE(tomb.location.empty());
  EXPECT_TRUE(tomb.avatar_key.empty());
  EXPECT_EQ(tomb.deleted_at, clock_.NowMs());
  auto mails = db().ReadValue<std::optional<db::Row>>([&](db::Session& s) {
    return s.QueryOne("SELECT COUNT(*) FROM mail_outbox WHERE to_address = 'alice@example.com'");
  });
  EXPECT_EQ((*mails)->Int(0), 0);
  EXPECT_FALSE(accounts_->Delete(alice_.id, "pw", 0).ok());
}

TEST_P(AccountTest, PasswordlessAccountsProveARecentSignInInstead) {
  auto bob = users_->Create(Account("bob@example.com", "bob", ""));
  ASSERT_TRUE(bob.ok());
  Status stale = accounts_->Delete(bob->id, "", 7);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().slug, "recent_sign_in_required");
  EXPECT_TRUE(users_->Get(bob->id).ok());
  // A password account cannot use the sign-in proof, and must send its password.
  Status missing = accounts_->Delete(alice_.id, "", kRecentSession);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().slug, "password_required");
  ASSERT_TRUE(accounts_->Delete(bob->id, "", kRecentSession).ok());
  EXPECT_EQ(users_->Get(bob->id).error().code, ErrorCode::kNotFound);
}

TEST_P(AccountTest, UsernameIsHeldForTheGracePeriodThenFreed) {
  ASSERT_TRUE(accounts_->Delete(alice_.id, "pw", 0).ok());
  // The email is free at once; the username only after the grace period.
  auto early = users_->Create(Account("alice@example.com", "Alice", "hash:x"));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.error().code, ErrorCode::kConflict);
  EXPECT_EQ(early.error().fields.count("username"), 1u);
  clock_.Advance(999);
  EXPECT_FALSE(users_->Create(Account("alice@example.com", "alice", "h")).ok());
  clock_.Advance(1);
  auto reborn = users_->Create(Account("alice@example.com", "alice", "hash:x"));
  ASSERT_TRUE(reborn.ok()) << reborn.error().message;
  EXPECT_NE(reborn->id, alice_.id);
  EXPECT_EQ(users_->GetByUsername("alice")->id, reborn->id);
  auto tomb =
      db().ReadValue<std::optional<User>>([&](db::Session& s) { return store::FindById(s, alice_.id); });
  EXPECT_EQ((*tomb)->username, "~deleted-" + IdToString(alice_.id));
}

INSTANTIATE_TEST_SUITE_P(Engines, AccountTest,
                         ::testing::Values(db::testing::Engine::kSqlite, db::testing::Engine::kPostgres),
                         db::testing::EngineParamName);

}  // namespace
}  // namespace veza::users
