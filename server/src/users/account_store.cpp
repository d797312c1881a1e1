#include "users/account_store.h"

namespace veza::users::account_store {

Result<bool> TableExists(db::Session& s, std::string_view table) {
  const char* sql = s.dialect() == db::Dialect::kSqlite
                        ? "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = $1"
                        : "SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() "
                          "AND table_name = $1";
  VEZA_ASSIGN_OR_RETURN(auto row, s.QueryOne(sql, {std::string(table)}));
  return row.has_value();
}

Result<db::QueryResult> RowsWhere(db::Session& s, std::string_view table, std::string_view column,
                                  db::Value value) {
  std::string sql =
      "SELECT * FROM " + std::string(table) + " WHERE " + std::string(column) + " = $1 ORDER BY 1";
  VEZA_ASSIGN_OR_RETURN(db::QueryResult r, s.Query(sql, {std::move(value)}));
  return r;
}

Status PurgePersonalRows(db::Session& s, int64_t user_id, std::string_view email) {
  VEZA_TRY(s.Execute("DELETE FROM auth_email_tokens WHERE user_id = $1", {user_id}));
  VEZA_TRY(s.Execute("DELETE FROM mail_outbox WHERE to_address = $1", {std::string(email)}));
  // Second factors and pending sign-in flows are personal too (migration 0005).
  for (const char* table : {"auth_totp", "auth_recovery_codes", "auth_oauth_states", "auth_oauth_codes"}) {
    VEZA_TRY(s.Execute(std::string("DELETE FROM ") + table + " WHERE user_id = $1", {user_id}));
  }
  VEZA_ASSIGN_OR_RETURN(bool connections, TableExists(s, kConnectionsTable));
  if (connections) {
    VEZA_TRY(s.Execute("DELETE FROM " + std::string(kConnectionsTable) + " WHERE user_id = $1", {user_id}));
  }
  return Ok();
}

}  // namespace veza::users::account_store
