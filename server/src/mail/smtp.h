#pragma once
/// SMTP submission over libcurl: smtp:// (STARTTLS required, opportunistic or off) or smtps://
/// (implicit TLS), optional AUTH, connect and overall timeouts.

#include <string>

#include "core/result.h"
#include "mail/mailer.h"

namespace veza::mail {

struct SmtpOptions {
  std::string url;       // smtp://host:587 or smtps://host:465
  std::string username;  // empty: no AUTH
  std::string password;
  std::string from;      // "Veza <noreply@example.com>" or a bare address
  std::string starttls = "required";  // required | opportunistic | off (smtp:// only)
  int timeout_ms = 30'000;
  bool verify_tls = true;
};

/// "required"/"opportunistic"/"off", a smtp:// or smtps:// URL and a From address.
std::optional<std::string> SmtpOptionsProblem(const SmtpOptions& options);

/// The RFC 5322 message: multipart/alternative with a text/plain and a text/html part, UTF-8,
/// quoted-printable bodies, encoded-word subject.
std::string BuildMimeMessage(const OutboxEntry& entry, const std::string& from, const std::string& message_id,
                             int64_t date_ms);

class SmtpSender {
 public:
  explicit SmtpSender(SmtpOptions options);
  /// kUnavailable (retryable) for connection/timeout/4xx failures; kValidation for a refused recipient.
  Status Send(const OutboxEntry& entry, int64_t now_ms) const;

 private:
  SmtpOptions options_;
};

/// Sends pending outbox mail: the "mail.deliver" job handler's work and `veza admin outbox --deliver`.
class MailDelivery {
 public:
  MailDelivery(db::Database& database, const Clock& clock, const SmtpSender& sender);
  /// Sends one outbox entry unless already sent; records the attempt and its error.
  Status DeliverOne(int64_t outbox_id);
  /// Every pending entry, oldest first, up to `limit`; returns how many were sent.
  Result<int> DeliverPending(int limit);
  /// For the job runner: payload {"outbox_id": "..."}; transient failures retry with backoff.
  jobs::JobOutcome HandleJob(const jobs::Job& job);

 private:
  db::Database& db_;
  const Clock& clock_;
  const SmtpSender& sender_;
};

}  // namespace veza::mail
