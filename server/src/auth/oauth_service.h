#pragma once
/// OAuth 2.0 / OpenID Connect sign-in and account linking: authorization code flow with PKCE (S256) and a
/// single-use server-side state bound to the browser; the callback creates or links the account and
/// hands the web client a one-time code that Exchange trades for tokens.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/auth_service.h"
#include "auth/oauth.h"
#include "core/clock.h"
#include "core/ids.h"
#include "core/result.h"
#include "db/session.h"
#include "net/http_client.h"
#include "users/user_service.h"

namespace veza::auth {

struct OAuthOptions {
  std::string public_url = "http://127.0.0.1:8080";  // the web client and the callback live here
  int64_t state_ttl_s = 600;
  int64_t code_ttl_s = 120;
};

struct OAuthStart {
  std::string authorize_url;
  std::string browser_token;  // goes in the flow cookie; the callback must bring it back
};

struct OAuthCallbackInput {
  std::string state;
  std::string code;
  std::string error;          // what the provider reported instead of a code
  std::string browser_token;  // from the flow cookie
};

struct Connection {
  std::string provider;
  std::string provider_display_name;
  std::string name;   // the account's name at the provider
  std::string email;  // as the provider reported it
  int64_t created_at = 0;
  int64_t last_used_at = 0;
};

class OAuthService {
 public:
  OAuthService(db::Database& database, users::UserService& users, AuthService& auth,
               const net::HttpClient& http, IdGenerator& ids, const Clock& clock,
               std::vector<OAuthProvider> providers, OAuthOptions options);

  const std::vector<OAuthProvider>& providers() const { return providers_; }
  const OAuthProvider* Find(std::string_view name) const;

  /// The provider's authorization URL. `link_user_id` set: the flow links the provider to that account.
  /// 404 for an unconfigured provider; 422 for a redirect that is not a path of ours.
  Result<OAuthStart> Start(std::string_view provider, std::optional<int64_t> link_user_id,
                           std::string_view redirect_path);
  /// Completes the flow; never fails: returns where to send the browser, the web client's
  /// /oauth/complete with `code=` (sign-in), `linked=` (linking) or `error=`, plus `redirect=`.
  std::string Callback(std::string_view provider, const OAuthCallbackInput& input);
  /// Trades a one-time code (single use, 2 minutes) for a session. 401 `invalid_code`; two-factor
  /// sign-in applies (401 `totp_required` leaves the code usable until it expires).
  Result<SignIn> Exchange(std::string_view code, const SecondFactor& second, const ClientInfo& client);

  Result<std::vector<Connection>> ListConnections(int64_t user_id);
  /// 404 when not linked; 409 `last_sign_in_method` when the account has no password and no other connection.
  Status DeleteConnection(int64_t user_id, std::string_view provider);

 private:
  struct Outcome {
    std::string error;  // empty on success
    int64_t user_id = 0;
    bool linked = false;
  };
  Outcome Complete(const OAuthProvider& provider, const std::string& code, const std::string& verifier,
                   std::optional<int64_t> link_user_id);
  Result<std::string> RedeemCode(const OAuthProvider& provider, const std::string& code,
                                 const std::string& verifier);
  Result<ExternalIdentity> FetchIdentity(const OAuthProvider& provider, const std::string& access_token);
  Outcome Resolve(const OAuthProvider& provider, const ExternalIdentity& identity,
                  std::optional<int64_t> link_user_id);
  Result<users::User> CreateAccount(const OAuthProvider& provider, const ExternalIdentity& identity);
  std::string CompleteUrl(const std::vector<std::pair<std::string, std::string>>& params) const;
  std::string RedirectUri(const OAuthProvider& provider) const;

  db::Database& db_;
  users::UserService& users_;
  AuthService& auth_;
  const net::HttpClient& http_;
  IdGenerator& ids_;
  const Clock& clock_;
  std::vector<OAuthProvider> providers_;
  OAuthOptions options_;
};

}  // namespace veza::auth
