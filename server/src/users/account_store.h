#pragma once
/// What the privacy export reads and account deletion purges outside the users table: sessions, the
/// mail outbox, and the tables of domains that may not be installed (checked, never assumed).
/// Rows come back generically so a column added later is exported without a change here.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "db/session.h"

namespace veza::users::account_store {

inline constexpr std::string_view kSessionsTable = "auth_sessions";
inline constexpr std::string_view kMailTable = "mail_outbox";
inline constexpr std::string_view kConnectionsTable = "auth_oauth_connections";  // OAuth links (migration 0005)
inline constexpr std::string_view kTracksTable = "tracks";

/// True when `table` exists in the current schema (sqlite_master / information_schema).
Result<bool> TableExists(db::Session& s, std::string_view table);

/// Every row of `table` whose `column` equals `value`, ordered by the first column. `table` and `column` are
/// constants of this module, never input.
Result<db::QueryResult> RowsWhere(db::Session& s, std::string_view table, std::string_view column,
                                  db::Value value);

/// Account deletion: the email tokens and outbox mails that carry the address, and OAuth links when
/// that table exists. Sessions are ended by the auth service, not here.
Status PurgePersonalRows(db::Session& s, int64_t user_id, std::string_view email);

}  // namespace veza::users::account_store
