#include "mail/mailer.h"

#include "core/json.h"

namespace veza::mail {

namespace {

constexpr std::string_view kOutboxColumns =
    "id, to_address, template, language, subject, text_body, html_body, status, attempts, last_error, created_at, "
    "sent_at";

OutboxEntry FromRow(const db::Row& r) {
  OutboxEntry e;
  e.id = r.Int(0);
  e.to = r.Text(1);
  e.template_name = r.Text(2);
  e.language = r.Text(3);
  e.subject = r.Text(4);
  e.text = r.Text(5);
  e.html = r.Text(6);
  e.status = r.Text(7);
  e.attempts = static_cast<int>(r.Int(8));
  e.last_error = r.Text(9);
  e.created_at = r.Int(10);
  e.sent_at = r.Int(11);
  return e;
}

}  // namespace

Mailer::Mailer(db::Database& database, IdGenerator& ids, const Clock& clock, jobs::Queue* queue,
               std::string instance_name)
    : db_(database), ids_(ids), clock_(clock), queue_(queue), instance_name_(std::move(instance_name)) {}

Result<int64_t> Mailer::Send(const Message& message) {
  return db_.Transaction<int64_t>([&](db::Session& s) { return SendIn(s, message); });
}

Result<int64_t> Mailer::SendIn(db::Session& s, const Message& message) {
  VEZA_ASSIGN_OR_RETURN(Rendered r, Render(message, instance_name_));
  int64_t id = ids_.Next();
  std::string lang = message.language == "fr" ? "fr" : "en";
  VEZA_TRY(s.Execute("INSERT INTO mail_outbox (id, to_address, template, language, subject, text_body, html_body, "
                     "status, attempts, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $8)",
                     {id, message.to, message.template_name, lang, r.subject, r.text, r.html, clock_.NowMs()}));
  if (queue_ != nullptr) {
    json::bj::object payload{{"outbox_id", IdToString(id)}};
    VEZA_TRY(queue_->EnqueueIn(s, kDeliverJobKind, json::Serialize(payload),
                               {.idempotency_key = "mail:" + IdToString(id), .max_attempts = 10}));
  }
  return id;
}

Result<std::vector<OutboxEntry>> ListOutbox(db::Database& database, int limit, const std::string& status) {
  return database.ReadValue<std::vector<OutboxEntry>>([&](db::Session& s) -> Result<std::vector<OutboxEntry>> {
    std::string sql = "SELECT " + std::string(kOutboxColumns) + " FROM mail_outbox";
    std::vector<db::Value> params;
    if (!status.empty()) {
      sql += " WHERE status = $2";
      params = {int64_t{limit}, status};
    } else {
      params = {int64_t{limit}};
    }
    sql += " ORDER BY id DESC LIMIT $1";
    VEZA_ASSIGN_OR_RETURN(db::QueryResult r, s.Query(sql, params));
    std::vector<OutboxEntry> out;
    for (const auto& row : r.rows) out.push_back(FromRow(row));
    return out;
  });
}

Result<std::optional<OutboxEntry>> GetOutboxEntry(db::Database& database, int64_t id) {
  return database.ReadValue<std::optional<OutboxEntry>>(
      [&](db::Session& s) -> Result<std::optional<OutboxEntry>> {
        VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne("SELECT " + std::string(kOutboxColumns) +
                                                       " FROM mail_outbox WHERE id = $1",
                                                   {id}));
        if (!row) return std::optional<OutboxEntry>();
        return std::optional<OutboxEntry>(FromRow(*row));
      });
}

}  // namespace veza::mail
