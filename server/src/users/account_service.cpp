#include "users/account_service.h"

#include <array>
#include <regex>

#include "core/json.h"
#include "core/log.h"
#include "users/account_store.h"
#include "users/user_routes.h"
#include "users/user_store.h"

namespace veza::users {

namespace {

namespace bj = json::bj;

// Columns whose names say they hold credentials are never exported, whatever table they are in.
bool SecretColumn(std::string_view column) {
  static constexpr std::array<std::string_view, 7> kWords = {"hash", "token",    "secret",  "password",
                                                             "totp", "recovery", "verifier"};
  for (auto w : kWords) {
    if (column.find(w) != std::string_view::npos) return true;
  }
  return false;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Ids as strings and epoch-ms times as RFC 3339, as everywhere else in the API.
bj::value Cell(std::string_view column, const db::Value& v) {
  if (std::holds_alternative<std::nullptr_t>(v)) return nullptr;
  if (const auto* i = std::get_if<int64_t>(&v)) {
    if (column == "id" || EndsWith(column, "_id")) return bj::value(IdToString(*i));
    if (EndsWith(column, "_at")) return bj::value(FormatRfc3339(*i));
    return bj::value(*i);
  }
  if (const auto* d = std::get_if<double>(&v)) return bj::value(*d);
  if (const auto* b = std::get_if<bool>(&v)) return bj::value(*b);
  return bj::value(std::get<std::string>(v));
}

bj::array Rows(const db::QueryResult& r, std::initializer_list<std::string_view> skip) {
  bj::array out;
  for (const auto& row : r.rows) {
    bj::object o;
    for (size_t c = 0; c < r.columns.size() && c < row.size(); ++c) {
      const std::string& name = r.columns[c];
      if (SecretColumn(name) || std::find(skip.begin(), skip.end(), name) != skip.end()) continue;
      o[name] = Cell(name, row.raw(c));
    }
    out.push_back(std::move(o));
  }
  return out;
}

// Mails carry single-use links; an export file must not be a way to reuse one.
std::string RedactTokens(const std::string& text) {
  static const std::regex kToken(R"(([?&](token|code)=)[A-Za-z0-9_\-.%]+)");
  return std::regex_replace(text, kToken, "$1[redacted]");
}

}  // namespace

AccountService::AccountService(db::Database& database, UserService& users, ProfileMediaService& media,
                               const Clock& clock, AccountHooks hooks)
    : db_(database), users_(users), media_(media), clock_(clock), hooks_(std::move(hooks)) {}

Result<std::string> AccountService::Export(int64_t user_id) {
  VEZA_ASSIGN_OR_RETURN(User user, users_.Get(user_id));
  VEZA_ASSIGN_OR_RETURN(bj::value profile, json::Parse(EncodeUserJson(user, Visibility::kSelf)));
  bj::object doc;
  doc["format"] = "veza.account-export";
  doc["format_version"] = 1;
  doc["exported_at"] = FormatRfc3339(clock_.NowMs());
  doc["profile"] = std::move(profile);
  Status read = db_.Read([&](db::Session& s) -> Status {
    VEZA_ASSIGN_OR_RETURN(auto sessions,
                          account_store::RowsWhere(s, account_store::kSessionsTable, "user_id", user.id));
    doc["sessions"] = Rows(sessions, {"user_id"});
    VEZA_ASSIGN_OR_RETURN(auto mails,
                          account_store::RowsWhere(s, account_store::kMailTable, "to_address", user.email));
    bj::array mail_rows = Rows(mails, {"html_body", "last_error", "attempts"});
    for (auto& m : mail_rows) {
      auto& o = m.as_object();
      if (auto* t = o.if_contains("text_body"); t && t->is_string())
        *t = RedactTokens(std::string(t->as_string()));
    }
    doc["mails"] = std::move(mail_rows);
    for (auto [name, table] : {std::pair{"connections", account_store::kConnectionsTable},
                               std::pair{"tracks", account_store::kTracksTable}}) {
      VEZA_ASSIGN_OR_RETURN(bool exists, account_store::TableExists(s, table));
      if (!exists) continue;
      VEZA_ASSIGN_OR_RETURN(auto rows, account_store::RowsWhere(s, table, "user_id", user.id));
      doc[name] = Rows(rows, {"user_id"});
    }
    return Ok();
  });
  VEZA_TRY(read);
  return json::Serialize(doc);
}

Status AccountService::Delete(int64_t user_id, std::string_view password, int64_t session_id) {
  VEZA_ASSIGN_OR_RETURN(User user, users_.Get(user_id));
  if (user.password_hash.empty()) {
    VEZA_TRY(hooks_.require_recent_sign_in(user.id, session_id));
  } else if (password.empty()) {
    Error e = Validation({{"password", "is required"}}, "Enter your password to delete this account.");
    e.slug = "password_required";
    return e;
  } else if (!hooks_.verify_password(user.password_hash, password)) {
    Error e = Validation({{"password", "is not correct"}}, "The password is not correct.");
    e.slug = "wrong_password";
    return e;
  }
  // Sessions end first: if the purge then fails the owner signs in again and retries, whereas the other
  // order could leave a live session on a deleted account.
  VEZA_TRY(hooks_.end_sessions(user.id));
  const int64_t now = clock_.NowMs();
  VEZA_TRY(db_.InTransaction([&](db::Session& s) -> Status {
    VEZA_TRY(account_store::PurgePersonalRows(s, user.id, user.email));
    return store::MarkDeleted(s, user.id, "~deleted-" + IdToString(user.id), now);
  }));
  if (!user.avatar_key.empty()) media_.DeleteObjects(user.avatar_key, ImageKind::kAvatar);
  if (!user.banner_key.empty()) media_.DeleteObjects(user.banner_key, ImageKind::kBanner);
  log::Info("account deleted", {{"user_id", user.id}});
  return Ok();
}

}  // namespace veza::users
