#pragma once
/// SQL over auth_oauth_states, auth_oauth_connections and auth_oauth_codes (states and codes by SHA-256).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "db/session.h"

namespace veza::auth::oauth_store {

struct StateRow {
  std::string state_hash;
  std::string provider;
  std::string code_verifier;
  std::string browser_hash;
  std::optional<int64_t> user_id;
  std::string redirect_path;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> used_at;
};

struct ConnectionRow {
  int64_t id = 0;
  int64_t user_id = 0;
  std::string provider;
  std::string subject;
  std::string email;
  std::string name;
  int64_t created_at = 0;
  int64_t last_used_at = 0;
};

struct CodeRow {
  int64_t user_id = 0;
  std::string provider;
  int64_t expires_at = 0;
  std::optional<int64_t> used_at;
};

Status InsertState(db::Session& s, const StateRow& row);
Result<std::optional<StateRow>> FindState(db::Session& s, const std::string& hash);
/// Marks the state used; false when it already was.
Result<bool> UseState(db::Session& s, const std::string& hash, int64_t now_ms);
/// Removes states and codes that expired before `cutoff_ms`.
Status PruneExpired(db::Session& s, int64_t cutoff_ms);

Result<std::optional<ConnectionRow>> FindConnection(db::Session& s, const std::string& provider,
                                                    const std::string& subject);
Result<std::optional<ConnectionRow>> FindUserConnection(db::Session& s, int64_t user_id,
                                                        const std::string& provider);
Status InsertConnection(db::Session& s, const ConnectionRow& row);
Status TouchConnection(db::Session& s, int64_t id, const std::string& email, const std::string& name,
                       int64_t now_ms);
Result<std::vector<ConnectionRow>> ListConnections(db::Session& s, int64_t user_id);
Result<bool> DeleteConnection(db::Session& s, int64_t user_id, const std::string& provider);

Status InsertCode(db::Session& s, const std::string& hash, int64_t user_id, const std::string& provider,
                  int64_t now_ms, int64_t expires_at);
Result<std::optional<CodeRow>> FindCode(db::Session& s, const std::string& hash);
/// Marks an unexpired, unused code used; false otherwise.
Result<bool> UseCode(db::Session& s, const std::string& hash, int64_t now_ms);

}  // namespace veza::auth::oauth_store
