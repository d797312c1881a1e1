#pragma once
/// Outgoing mail. Every message is rendered (plain text + HTML, English or French) and written to the
/// mail_outbox table; when a job queue is wired, a "mail.deliver" job is enqueued in the same
/// transaction and MailDelivery sends it over SMTP. Without SMTP the outbox is where operators read
/// mail (`veza admin outbox`).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/result.h"
#include "db/session.h"
#include "jobs/queue.h"

namespace veza::mail {

inline constexpr const char* kDeliverJobKind = "mail.deliver";

/// One of the known templates with its variables (e.g. {"link": "...", "username": "..."}).
struct Message {
  std::string to;
  std::string template_name;  // verify_email | password_reset | password_changed | login_failures
  std::string language = "en";  // en | fr (anything else falls back to en)
  std::map<std::string, std::string> vars;
};

struct Rendered {
  std::string subject;
  std::string text;
  std::string html;
};

/// Renders a known template; 500-class error for an unknown one (a programming mistake).
Result<Rendered> Render(const Message& message, const std::string& instance_name);

struct OutboxEntry {
  int64_t id = 0;
  std::string to;
  std::string template_name;
  std::string language;
  std::string subject;
  std::string text;
  std::string html;
  std::string status;  // pending | sent | failed
  int attempts = 0;
  std::string last_error;
  int64_t created_at = 0;
  int64_t sent_at = 0;
};

class Mailer {
 public:
  /// `queue` may be null: messages then stay in the outbox until delivered by `veza admin outbox --deliver`.
  Mailer(db::Database& database, IdGenerator& ids, const Clock& clock, jobs::Queue* queue,
         std::string instance_name = "Veza");

  /// Renders and stores `message` (and enqueues its delivery) in its own transaction.
  Result<int64_t> Send(const Message& message);
  /// The same inside the caller's transaction, so the mail exists only if the caller commits.
  Result<int64_t> SendIn(db::Session& session, const Message& message);

 private:
  db::Database& db_;
  IdGenerator& ids_;
  const Clock& clock_;
  jobs::Queue* queue_;
  std::string instance_name_;
};

/// Outbox reads for operators (newest first) and for delivery.
Result<std::vector<OutboxEntry>> ListOutbox(db::Database& database, int limit, const std::string& status = {});
Result<std::optional<OutboxEntry>> GetOutboxEntry(db::Database& database, int64_t id);

}  // namespace veza::mail
