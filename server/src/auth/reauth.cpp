#include "auth/reauth.h"

#include "auth/auth_store.h"

namespace veza::auth {

Status RequireRecentSignIn(db::Database& database, int64_t user_id, int64_t session_id, int64_t now_ms,
                           int64_t window_ms) {
  VEZA_ASSIGN_OR_RETURN(std::optional<int64_t> signed_in_at,
                        database.ReadValue<std::optional<int64_t>>([&](db::Session& s) {
                          return store::SessionSignedInAt(s, user_id, session_id, now_ms);
                        }));
  if (signed_in_at && now_ms - *signed_in_at <= window_ms) return Ok();
  int64_t minutes = std::max<int64_t>(1, window_ms / 60'000);
  return MakeError(
      ErrorCode::kForbidden,
      "This account has no password: sign in again (with a connected provider) and retry within " +
          std::to_string(minutes) + (minutes == 1 ? " minute." : " minutes."),
      "recent_sign_in_required");
}

}  // namespace veza::auth
