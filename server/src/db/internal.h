#pragma once
// Shared between the session front end and the two backends; not part of the public db API.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "db/session.h"

namespace veza::db::internal {

inline constexpr std::string_view kBusySlug = "database_busy";

/// A transient failure InTransaction retries.
Error BusyError(std::string detail);
/// The database (file or server) cannot be used right now; the process stays up and health reports it.
Error UnreachableError(std::string message, std::string detail, int retry_after_s = 5);
/// A unique or foreign-key violation.
Error ConflictError(bool foreign_key, std::string detail);

/// Exponential backoff with jitter before retry number `attempt` (1-based): ~2 ms doubling up to 200 ms.
std::chrono::microseconds Backoff(int attempt);

/// Runs `attempt` until it succeeds, fails with a non-retryable error, or `max_attempts` are used up
/// (then kUnavailable `database_busy`). Sleeps Backoff() between attempts.
Status RunWithRetries(int max_attempts, const std::function<Status()>& attempt);

Result<std::unique_ptr<Database>> OpenSqlite(const std::string& path, const DatabaseOptions& options);
Result<std::unique_ptr<Database>> OpenSqliteMemory(const DatabaseOptions& options);
Result<std::unique_ptr<Database>> OpenPostgres(const std::string& url, const DatabaseOptions& options);

}  // namespace veza::db::internal
