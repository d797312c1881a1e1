#pragma once
/// OAuth 2.0 / OpenID Connect providers: configuration (Spotify and Discord presets, any other provider
/// by its URLs and claim names), PKCE, and reading a provider's userinfo answer. Plain std types only.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace veza::auth {

struct OAuthProvider {
  std::string name;          // URL segment and connection key: [a-z0-9_-]{1,32}
  std::string display_name;  // for the web client's button
  std::string authorize_url;
  std::string token_url;
  std::string userinfo_url;
  std::string client_id;
  std::string client_secret;
  std::string scopes;             // space-separated
  bool client_auth_basic = true;  // client credentials by HTTP Basic (else in the token request body)
  std::string id_field = "sub";   // userinfo claim names
  std::string email_field = "email";
  std::string email_verified_field = "email_verified";  // empty: the provider never vouches for emails
  std::string name_field = "name";
  std::string username_field = "preferred_username";
};

/// The per-provider settings `oauth.<name>.<field>` accepts.
const std::vector<std::string>& OAuthSettingFields();
/// Providers with built-in URLs and claim names ("spotify", "discord").
bool IsOAuthPreset(std::string_view name);

/// A provider from its settings (field → value) over the preset of the same name, if any.
/// Errors list every problem ("oauth.x.client_id is required", …). `require_https` for production.
Result<OAuthProvider> ResolveOAuthProvider(const std::string& name,
                                           const std::map<std::string, std::string>& settings,
                                           bool require_https);

/// PKCE S256 (RFC 7636): base64url(SHA-256(verifier)) without padding.
std::string PkceChallenge(std::string_view verifier);

/// What the provider says about the account.
struct ExternalIdentity {
  std::string subject;  // stable id at the provider
  std::string email;    // may be empty
  bool email_verified = false;
  std::string name;
  std::string username;
};

/// Reads the identity out of a userinfo JSON document with the provider's claim names. Ids that are
/// numbers become their decimal text; `email_verified` may be a boolean or "true". 502-style error
/// (kUnavailable, slug `bad_userinfo`) when the id is missing.
Result<ExternalIdentity> ParseUserinfo(const OAuthProvider& provider, std::string_view json_text);

/// A username our rules accept, derived from the identity (username, name, email local part, provider),
/// without the de-duplication suffix: lower case, [a-z0-9_.-], 3–24 characters.
std::string DeriveUsernameBase(const ExternalIdentity& identity, std::string_view provider);

/// True when `path` is a path of our web client that is safe to redirect to ("/…", not "//…", no "\",
/// no scheme, no control characters, ≤ 512 bytes).
bool IsSafeRedirectPath(std::string_view path);

}  // namespace veza::auth
