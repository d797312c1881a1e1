#include "mail/smtp.h"

#include <curl/curl.h>

#include <cstring>
#include <ctime>
#include <memory>

#include "core/crypto.h"
#include "core/ids.h"
#include "core/json.h"
#include "core/log.h"

namespace veza::mail {

namespace {

void InitCurl() {
  static const bool ok = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  (void)ok;
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(n >> s) & 63];
  }
  if (i + 1 == in.size()) {
    uint32_t n = uint8_t(in[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t n = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

// RFC 2045 quoted-printable with CRLF line ends and soft breaks before 76 characters.
std::string QuotedPrintable(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  size_t line = 0;
  auto emit = [&](std::string_view piece) {
    if (line + piece.size() > 75) {
      out += "=\r\n";
      line = 0;
    }
    out += piece;
    line += piece.size();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = text[i];
    if (c == '\n') {
      out += "\r\n";
      line = 0;
    } else if (c == '\r') {
      continue;
    } else if ((c == ' ' || c == '\t') && (i + 1 == text.size() || text[i + 1] == '\n')) {
      char enc[4] = {'=', kHex[c >> 4], kHex[c & 15], 0};
      emit(enc);
    } else if ((c >= 33 && c <= 126 && c != '=') || c == ' ' || c == '\t') {
      char one[2] = {static_cast<char>(c), 0};
      emit(one);
    } else {
      char enc[4] = {'=', kHex[c >> 4], kHex[c & 15], 0};
      emit(enc);
    }
  }
  return out;
}

std::string EncodedWord(std::string_view text) {
  bool ascii = true;
  for (unsigned char c : text) ascii &= c >= 32 && c < 127;
  return ascii ? std::string(text) : "=?UTF-8?B?" + Base64(text) + "?=";
}

std::string BareAddress(const std::string& from) {
  size_t open = from.find('<'), close = from.rfind('>');
  if (open != std::string::npos && close != std::string::npos && close > open) {
    return from.substr(open + 1, close - open - 1);
  }
  return from;
}

std::string RfcDate(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  return buf;
}

struct ReadState {
  std::string_view data;
  size_t offset = 0;
};

size_t ReadCallback(char* buffer, size_t size, size_t nitems, void* userp) {
  auto* st = static_cast<ReadState*>(userp);
  size_t n = std::min(size * nitems, st->data.size() - st->offset);
  std::memcpy(buffer, st->data.data() + st->offset, n);
  st->offset += n;
  return n;
}

}  // namespace

std::optional<std::string> SmtpOptionsProblem(const SmtpOptions& o) {
  if (o.url.rfind("smtp://", 0) != 0 && o.url.rfind("smtps://", 0) != 0) {
    return "smtp.url must start with smtp:// or smtps://";
  }
  if (o.starttls != "required" && o.starttls != "opportunistic" && o.starttls != "off") {
    return "smtp.starttls must be required, opportunistic or off";
  }
  if (BareAddress(o.from).find('@') == std::string::npos) return "smtp.from must contain an email address";
  return std::nullopt;
}

std::string BuildMimeMessage(const OutboxEntry& e, const std::string& from, const std::string& message_id,
                             int64_t date_ms) {
  std::string boundary = "veza-" + crypto::RandomToken(12);
  std::string m;
  m += "Date: " + RfcDate(date_ms) + "\r\n";
  m += "From: " + from + "\r\n";
  m += "To: <" + e.to + ">\r\n";
  m += "Subject: " + EncodedWord(e.subject) + "\r\n";
  m += "Message-ID: <" + message_id + ">\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Language: " + e.language + "\r\n";
  m += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n\r\n";
  m += "--" + boundary + "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
  m += QuotedPrintable(e.text) + "\r\n";
  m += "--" + boundary + "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
  m += QuotedPrintable(e.html) + "\r\n";
  m += "--" + boundary + "--\r\n";
  return m;
}

SmtpSender::SmtpSender(SmtpOptions options) : options_(std::move(options)) { InitCurl(); }

Status SmtpSender::Send(const OutboxEntry& entry, int64_t now_ms) const {
  std::string from_addr = BareAddress(options_.from);
  std::string domain = from_addr.substr(from_addr.find('@') + 1);
  std::string message = BuildMimeMessage(entry, options_.from, IdToString(entry.id) + "@" + domain, now_ms);

  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return Unavailable("Mail delivery is unavailable.", "curl_easy_init failed");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> rcpt(
      curl_slist_append(nullptr, ("<" + entry.to + ">").c_str()), curl_slist_free_all);
  ReadState state{message, 0};
  std::string mail_from = "<" + from_addr + ">";
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, options_.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(c, CURLOPT_MAIL_FROM, mail_from.c_str());
  curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt.get());
  curl_easy_setopt(c, CURLOPT_READFUNCTION, ReadCallback);
  curl_easy_setopt(c, CURLOPT_READDATA, &state);
  curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(options_.timeout_ms, 10'000)));
  long use_ssl = options_.starttls == "required" ? CURLUSESSL_ALL
                 : options_.starttls == "opportunistic" ? CURLUSESSL_TRY
                                                        : CURLUSESSL_NONE;
  if (options_.url.rfind("smtps://", 0) == 0) use_ssl = CURLUSESSL_ALL;
  curl_easy_setopt(c, CURLOPT_USE_SSL, use_ssl);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (!options_.username.empty()) {
    curl_easy_setopt(c, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(c, CURLOPT_PASSWORD, options_.password.c_str());
  }
  CURLcode rc = curl_easy_perform(c);
  if (rc == CURLE_OK) return Ok();
  long code = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
  std::string detail = std::string(curl_easy_strerror(rc)) + " (SMTP " + std::to_string(code) + ")";
  if (code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED) {
    Error e = MakeError(ErrorCode::kValidation, "The mail server refused the message.", "smtp_refused");
    e.detail = detail;
    return e;
  }
  return Unavailable("Mail delivery failed; it will be retried.", detail, 60);
}

MailDelivery::MailDelivery(db::Database& database, const Clock& clock, const SmtpSender& sender)
    : db_(database), clock_(clock), sender_(sender) {}

Status MailDelivery::DeliverOne(int64_t id) {
  VEZA_ASSIGN_OR_RETURN(auto entry, GetOutboxEntry(db_, id));
  if (!entry) return NotFound("No such outbox entry.");
  if (entry->status == "sent") return Ok();
  Status sent = sender_.Send(*entry, clock_.NowMs());
  int64_t now = clock_.NowMs();
  VEZA_TRY(db_.InTransaction([&](db::Session& s) -> Status {
    if (sent.ok()) {
      VEZA_TRY(s.Execute("UPDATE mail_outbox SET status = 'sent', sent_at = $2, attempts = attempts + 1, "
                         "last_error = NULL WHERE id = $1",
                         {id, now}));
    } else {
      bool permanent = sent.error().code == ErrorCode::kValidation;
      VEZA_TRY(s.Execute("UPDATE mail_outbox SET status = $2, attempts = attempts + 1, last_error = $3 WHERE id = $1",
                         {id, std::string(permanent ? "failed" : "pending"), sent.error().detail}));
    }
    return Ok();
  }));
  if (!sent.ok()) log::Warn("mail delivery failed", {{"outbox_id", IdToString(id)}, {"error", sent.error().detail}});
  return sent;
}

Result<int> MailDelivery::DeliverPending(int limit) {
  VEZA_ASSIGN_OR_RETURN(auto pending, ListOutbox(db_, limit, "pending"));
  int sent = 0;
  Error last;
  bool failed = false;
  for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
    Status s = DeliverOne(it->id);
    if (s.ok()) {
      ++sent;
    } else {
      failed = true;
      last = s.error();
    }
  }
  if (failed && sent == 0) return last;
  return sent;
}

jobs::JobOutcome MailDelivery::HandleJob(const jobs::Job& job) {
  auto payload = json::ParseObject(job.payload);
  if (!payload.ok()) return jobs::JobOutcome::Fail("payload is not a JSON object");
  auto* id_value = payload->if_contains("outbox_id");
  std::optional<int64_t> id;
  if (id_value && id_value->is_string()) id = ParseId(id_value->as_string());
  if (!id) return jobs::JobOutcome::Fail("payload has no outbox_id");
  Status s = DeliverOne(*id);
  if (s.ok()) return jobs::JobOutcome::Done();
  if (s.error().code == ErrorCode::kUnavailable) return jobs::JobOutcome::Retry(s.error().detail);
  return jobs::JobOutcome::Fail(s.error().detail.empty() ? s.error().message : s.error().detail);
}

}  // namespace veza::mail
