#include "auth/oauth.h"

#include <algorithm>

#include "core/crypto.h"
#include "core/json.h"
#include "users/user_validation.h"

namespace veza::auth {

namespace {

OAuthProvider Spotify() {
  OAuthProvider p;
  p.name = "spotify";
  p.display_name = "Spotify";
  p.authorize_url = "https://accounts.spotify.com/authorize";
  p.token_url = "https://accounts.spotify.com/api/token";
  p.userinfo_url = "https://api.spotify.com/v1/me";
  p.scopes = "user-read-email";
  p.client_auth_basic = true;
  p.id_field = "id";
  p.email_field = "email";
  p.email_verified_field = "";  // Spotify does not say whether it verified the address
  p.name_field = "display_name";
  p.username_field = "id";
  return p;
}

OAuthProvider Discord() {
  OAuthProvider p;
  p.name = "discord";
  p.display_name = "Discord";
  p.authorize_url = "https://discord.com/oauth2/authorize";
  p.token_url = "https://discord.com/api/oauth2/token";
  p.userinfo_url = "https://discord.com/api/users/@me";
  p.scopes = "identify email";
  p.client_auth_basic = true;
  p.id_field = "id";
  p.email_field = "email";
  p.email_verified_field = "verified";
  p.name_field = "global_name";
  p.username_field = "username";
  return p;
}

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::optional<std::string> ScalarText(const json::bj::value* v) {
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  if (v->is_uint64()) return std::to_string(v->as_uint64());
  if (v->is_bool()) return std::string(v->as_bool() ? "true" : "false");
  return std::nullopt;
}

}  // namespace

const std::vector<std::string>& OAuthSettingFields() {
  static const std::vector<std::string> fields = {
      "client_id",     "client_secret", "authorize_url", "token_url",   "userinfo_url",         "scopes",
      "token_auth",    "display_name",  "id_field",      "email_field", "email_verified_field", "name_field",
      "username_field"};
  return fields;
}

bool IsOAuthPreset(std::string_view name) {
  return name == "spotify" || name == "discord";
}

Result<OAuthProvider> ResolveOAuthProvider(const std::string& name,
                                           const std::map<std::string, std::string>& s, bool require_https) {
  std::map<std::string, std::string> problems;
  std::string prefix = "oauth." + name + ".";
  if (!ValidName(name))
    problems[prefix.substr(0, prefix.size() - 1)] = "provider names are 1–32 of a-z 0-9 _ -";
  OAuthProvider p = name == "spotify" ? Spotify() : name == "discord" ? Discord() : OAuthProvider{};
  p.name = name;
  if (p.display_name.empty()) {
    p.display_name = name;
    if (!p.display_name.empty()) p.display_name[0] = static_cast<char>(std::toupper(p.display_name[0]));
  }
  auto take = [&](const char* field, std::string& into) {
    if (auto it = s.find(field); it != s.end()) into = it->second;
  };
  take("client_id", p.client_id);
  take("client_secret", p.client_secret);
  take("authorize_url", p.authorize_url);
  take("token_url", p.token_url);
  take("userinfo_url", p.userinfo_url);
  take("scopes", p.scopes);
  take("display_name", p.display_name);
  take("id_field", p.id_field);
  take("email_field", p.email_field);
  take("email_verified_field", p.email_verified_field);
  take("name_field", p.name_field);
  take("username_field", p.username_field);
  if (auto it = s.find("token_auth"); it != s.end()) {
    if (it->second == "basic" || it->second == "body") {
      p.client_auth_basic = it->second == "basic";
    } else {
      problems[prefix + "token_auth"] = "must be basic or body";
    }
  }
  for (const auto& [field, value] : s) {
    if (std::find(OAuthSettingFields().begin(), OAuthSettingFields().end(), field) ==
        OAuthSettingFields().end()) {
      problems[prefix + field] = "is not a known provider setting";
    }
  }
  if (p.client_id.empty()) problems[prefix + "client_id"] = "is required";
  if (p.client_secret.empty()) problems[prefix + "client_secret"] = "is required";
  if (p.id_field.empty()) problems[prefix + "id_field"] = "must not be empty";
  for (auto [field, url] : {std::pair{"authorize_url", &p.authorize_url},
                            {"token_url", &p.token_url},
                            {"userinfo_url", &p.userinfo_url}}) {
    if (url->empty()) {
      problems[prefix + field] = "is required for a provider without a preset";
    } else if (url->rfind("https://", 0) != 0 && (require_https || url->rfind("http://", 0) != 0)) {
      problems[prefix + field] = require_https ? "must be an https:// URL" : "must be an http(s) URL";
    }
  }
  if (!problems.empty()) {
    std::string message;
    for (const auto& [k, v] : problems) message += (message.empty() ? "" : "; ") + k + " " + v;
    return Validation(std::move(problems), message);
  }
  return p;
}

std::string PkceChallenge(std::string_view verifier) {
  return crypto::Base64UrlEncode(crypto::Sha256(verifier));
}

Result<ExternalIdentity> ParseUserinfo(const OAuthProvider& provider, std::string_view json_text) {
  auto bad = [](std::string detail) {
    Error e = MakeError(ErrorCode::kUnavailable, "The provider sent an unusable account description.",
                        "bad_userinfo");
    e.detail = std::move(detail);
    return e;
  };
  auto parsed = json::Parse(json_text);
  if (!parsed.ok() || !parsed->is_object()) return bad("userinfo is not a JSON object");
  const auto& o = parsed->as_object();
  auto field = [&](const std::string& name) -> std::optional<std::string> {
    if (name.empty()) return std::nullopt;
    return ScalarText(o.if_contains(name));
  };
  ExternalIdentity id;
  id.subject = field(provider.id_field).value_or("");
  if (id.subject.empty() || id.subject.size() > 255)
    return bad("userinfo has no usable " + provider.id_field);
  id.email = users::NormalizeEmail(field(provider.email_field).value_or(""));
  id.email_verified = !id.email.empty() && field(provider.email_verified_field).value_or("") == "true";
  id.name = field(provider.name_field).value_or("");
  id.username = field(provider.username_field).value_or("");
  return id;
}

std::string DeriveUsernameBase(const ExternalIdentity& identity, std::string_view provider) {
  auto clean = [](std::string_view in) {
    std::string out;
    for (unsigned char c : in) {
      char l = static_cast<char>(std::tolower(c));
      if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9') || l == '_' || l == '.' || l == '-') {
        out.push_back(l);
      } else if (c == ' ' && !out.empty() && out.back() != '_') {
        out.push_back('_');
      }
      if (out.size() >= 24) break;
    }
    // Usernames start with a letter or digit and do not end with punctuation.
    while (!out.empty() && !std::isalnum(static_cast<unsigned char>(out.front()))) out.erase(out.begin());
    while (!out.empty() && !std::isalnum(static_cast<unsigned char>(out.back()))) out.pop_back();
    return out;
  };
  std::string local = identity.email.substr(0, identity.email.find('@'));
  for (std::string_view candidate :
       {std::string_view(identity.username), std::string_view(identity.name), std::string_view(local)}) {
    std::string c = clean(candidate);
    if (c.size() >= 3 && !users::UsernameProblem(c)) return c;
  }
  return clean(std::string(provider) + "_user");
}

bool IsSafeRedirectPath(std::string_view path) {
  if (path.empty() || path.size() > 512 || path.front() != '/') return false;
  if (path.size() > 1 && (path[1] == '/' || path[1] == '\\')) return false;
  for (unsigned char c : path) {
    if (c < 0x21 || c == 0x7f || c == '\\') return false;
  }
  return true;
}

}  // namespace veza::auth
