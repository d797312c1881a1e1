#pragma once
/// Re-authentication for accounts without a password (signed up through OAuth): instead of a password
/// they prove presence with a recent sign-in. The proof is the session's creation time, which only a
/// sign-in sets (a refresh keeps the session and never renews it), so a stolen refresh token cannot
/// manufacture one.

#include <cstdint>

#include "core/result.h"
#include "db/session.h"

namespace veza::auth {

inline constexpr int64_t kDefaultRecentSignInMs = 10 * 60'000;

/// OK when `session_id` is an active session of `user_id` signed in at most `window_ms` ago; otherwise
/// 403 `recent_sign_in_required` telling the user to sign in again and retry.
Status RequireRecentSignIn(db::Database& database, int64_t user_id, int64_t session_id, int64_t now_ms,
                           int64_t window_ms);

}  // namespace veza::auth
