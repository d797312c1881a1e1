#include <gtest/gtest.h>

#include "db/migrate.h"
#include "db/testing/test_database.h"
#include "mail/mailer.h"
#include "mail/smtp.h"

namespace veza::mail {
namespace {

TEST(Render, EnglishAndFrenchWithEscapedHtml) {
  Message m{"a@example.com", "password_reset", "fr", {{"username", "<b>al</b>"}, {"link", "https://x.test/r?token=a&b"}}};
  auto fr = Render(m, "Veza");
  ASSERT_TRUE(fr.ok());
  EXPECT_NE(fr->subject.find("Réinitialisez"), std::string::npos);
  EXPECT_NE(fr->text.find("https://x.test/r?token=a&b"), std::string::npos);
  EXPECT_NE(fr->html.find("href=\"https://x.test/r?token=a&amp;b\""), std::string::npos);
  EXPECT_EQ(fr->html.find("<b>al</b>"), std::string::npos);
  EXPECT_NE(fr->html.find("lang=\"fr\""), std::string::npos);
  m.language = "xx";
  auto en = Render(m, "Veza");
  ASSERT_TRUE(en.ok());
  EXPECT_EQ(en->subject, "Reset your Veza password");
  m.template_name = "nope";
  EXPECT_FALSE(Render(m, "Veza").ok());
}

TEST(Mime, MultipartAlternativeQuotedPrintable) {
  OutboxEntry e;
  e.id = 42;
  e.to = "a@example.com";
  e.language = "fr";
  e.subject = "Réinitialisez";
  e.text = "Ligne accentuée é\n" + std::string(100, 'x');
  e.html = "<p>é</p>";
  std::string m = BuildMimeMessage(e, "Veza <noreply@veza.test>", "42@veza.test", 0);
  EXPECT_NE(m.find("Subject: =?UTF-8?B?"), std::string::npos);
  EXPECT_NE(m.find("multipart/alternative"), std::string::npos);
  EXPECT_NE(m.find("text/plain; charset=utf-8"), std::string::npos);
  EXPECT_NE(m.find("text/html; charset=utf-8"), std::string::npos);
  EXPECT_NE(m.find("=C3=A9"), std::string::npos);
  for (size_t start = 0, end; (end = m.find("\r\n", start)) != std::string::npos; start = end + 2) {
    EXPECT_LE(end - start, 78u);
  }
}

class RecordingQueue : public jobs::Queue {
 public:
  Result<int64_t> Enqueue(std::string_view kind, std::string_view payload, jobs::EnqueueOptions) override {
    return Internal("not used");
  }
  Result<int64_t> EnqueueIn(db::Session&, std::string_view kind, std::string_view payload,
                            jobs::EnqueueOptions options) override {
    kinds.emplace_back(kind);
    payloads.emplace_back(payload);
    keys.push_back(options.idempotency_key);
    return int64_t{1};
  }
  std::vector<std::string> kinds, payloads, keys;
};

class OutboxTest : public db::testing::EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(db::Migrate(db(), db::EmbeddedMigrations()).ok());
  }
  ManualClock clock_;
  IdGenerator ids_{clock_, 1};
};

TEST_P(OutboxTest, SendWritesOutboxAndEnqueuesDelivery) {
  RecordingQueue queue;
  Mailer mailer(db(), ids_, clock_, &queue);
  auto id = mailer.Send({"a@example.com", "verify_email", "en", {{"username", "al"}, {"link", "https://v/1"}}});
  ASSERT_TRUE(id.ok()) << id.error().detail;
  ASSERT_EQ(queue.kinds.size(), 1u);
  EXPECT_EQ(queue.kinds[0], kDeliverJobKind);
  EXPECT_NE(queue.payloads[0].find("outbox_id"), std::string::npos);
  EXPECT_EQ(queue.keys[0], "mail:" + std::to_string(*id));
  auto entries = ListOutbox(db(), 10);
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_EQ((*entries)[0].status, "pending");
  EXPECT_NE((*entries)[0].text.find("https://v/1"), std::string::npos);
}

TEST_P(OutboxTest, RolledBackCallerLeavesNoMail) {
  Mailer mailer(db(), ids_, clock_, nullptr);
  Status s = db().InTransaction([&](db::Session& session) -> Status {
    VEZA_TRY(mailer.SendIn(session, {"a@example.com", "verify_email", "en", {}}));
    return Internal("caller fails after queuing mail");
  });
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(ListOutbox(db(), 10)->empty());
}

TEST_P(OutboxTest, UnreachableSmtpKeepsMailPendingWithError) {
  Mailer mailer(db(), ids_, clock_, nullptr);
  auto id = mailer.Send({"a@example.com", "verify_email", "en", {}});
  ASSERT_TRUE(id.ok());
  // Port 1 on loopback: connection refused at once.
  SmtpSender sender({.url = "smtp://127.0.0.1:1", .from = "noreply@veza.test", .starttls = "off", .timeout_ms = 2000});
  MailDelivery delivery(db(), clock_, sender);
  jobs::Job job{1, kDeliverJobKind, "{\"outbox_id\":\"" + std::to_string(*id) + "\"}", 1, 10};
  auto outcome = delivery.HandleJob(job);
  EXPECT_EQ(outcome.kind, jobs::JobOutcome::Kind::kRetry);
  auto entry = GetOutboxEntry(db(), *id);
  ASSERT_TRUE(entry.ok() && *entry);
  EXPECT_EQ((*entry)->status, "pending");
  EXPECT_EQ((*entry)->attempts, 1);
  EXPECT_FALSE((*entry)->last_error.empty());
  EXPECT_EQ(delivery.HandleJob({2, kDeliverJobKind, "{}", 1, 10}).kind, jobs::JobOutcome::Kind::kFail);
}

INSTANTIATE_TEST_SUITE_P(Engines, OutboxTest,
                         ::testing::Values(db::testing::Engine::kSqlite, db::testing::Engine::kPostgres),
                         db::testing::EngineParamName);

}  // namespace
}  // namespace veza::mail
