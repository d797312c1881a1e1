#include "auth/oauth_service.h"

#include "auth/oauth_store.h"
#include "core/crypto.h"
#include "core/json.h"
#include "core/log.h"
#include "core/url.h"
#include "users/user_validation.h"

namespace veza::auth {

namespace {

std::string Hash(std::string_view token) {
  return crypto::Sha256Hex(token);
}

// RFC 4648 §4 (with padding) for the HTTP Basic header, from the base64url helper.
std::string Base64(std::string_view data) {
  std::string s = crypto::Base64UrlEncode(data);
  for (char& c : s) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (s.size() % 4 != 0) s.push_back('=');
  return s;
}

Error InvalidCode() {
  return MakeError(ErrorCode::kUnauthenticated,
                   "This sign-in link is invalid or has expired; please try again.", "invalid_code");
}

// Provider errors the web client can explain; anything else is reported as provider_error.
std::string ProviderError(std::string_view error) {
  if (error == "access_denied") return "access_denied";
  if (error == "temporarily_unavailable") return "temporarily_unavailable";
  return "provider_error";
}

}  // namespace

OAuthService::OAuthService(db::Database& database, users::UserService& users, AuthService& auth,
                           const net::HttpClient& http, IdGenerator& ids, const Clock& clock,
                           std::vector<OAuthProvider> providers, OAuthOptions options)
    : db_(database),
      users_(users),
      auth_(auth),
      http_(http),
      ids_(ids),
      clock_(clock),
      providers_(std::move(providers)),
      options_(std::move(options)) {}

const OAuthProvider* OAuthService::Find(std::string_view name) const {
  for (const auto& p : providers_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::string OAuthService::RedirectUri(const OAuthProvider& p) const {
  return options_.public_url + "/api/v1/auth/oauth/" + p.name + "/callback";
}

std::string OAuthService::CompleteUrl(const std::vector<std::pair<std::string, std::string>>& params) const {
  return options_.public_url + "/oauth/complete?" + net::FormEncode(params);
}

Result<OAuthStart> OAuthService::Start(std::string_view provider_name, std::optional<int64_t> link_user_id,
                                       std::string_view redirect_path) {
  const OAuthProvider* p = Find(provider_name);
  if (p == nullptr) return NotFound("No such sign-in provider.");
  std::string redirect = redirect_path.empty() ? "/" : std::string(redirect_path);
  if (!IsSafeRedirectPath(redirect))
    return Validation({{"redirect", "must be a path of this site, like /settings"}});
  std::string state = crypto::RandomToken(32);
  std::string verifier = crypto::RandomToken(48);  // 64 characters, within RFC 7636's 43–128
  std::string browser = crypto::RandomToken(32);
  int64_t now = clock_.NowMs();
  VEZA_TRY(db_.InTransaction([&](db::Session& s) -> Status {
    VEZA_TRY(oauth_store::PruneExpired(s, now - 3600'000));
    return oauth_store::InsertState(s, {Hash(state), p->name, verifier, Hash(browser), link_user_id, redirect,
                                        now, now + options_.state_ttl_s * 1000, std::nullopt});
  }));
  std::string url = p->authorize_url + (p->authorize_url.find('?') == std::string::npos ? "?" : "&") +
                    net::FormEncode({{"response_type", "code"},
                                     {"client_id", p->client_id},
                                     {"redirect_uri", RedirectUri(*p)},
                                     {"scope", p->scopes},
                                     {"state", state},
                                     {"code_challenge", PkceChallenge(verifier)},
                                     {"code_challenge_method", "S256"}});
  return OAuthStart{std::move(url), std::move(browser)};
}

std::string OAuthService::Callback(std::string_view provider_name, const OAuthCallbackInput& in) {
  const OAuthProvider* p = Find(provider_name);
  if (p == nullptr || in.state.empty() || in.state.size() > 128)
    return CompleteUrl({{"error", "invalid_state"}});
  int64_t now = clock_.NowMs();
  struct Claimed {
    bool ok = false;
    oauth_store::StateRow row;
  };
  // The state is single use: claimed before anything else happens, whatever the outcome.
  auto claimed = db_.Transaction<Claimed>([&](db::Session& s) -> Result<Claimed> {
    VEZA_ASSIGN_OR_RETURN(auto row, oauth_store::FindState(s, Hash(in.state)));
    if (!row || row->provider != p->name || row->used_at || row->expires_at <= now) return Claimed{};
    // A state brought by another browser is not consumed, so the real one can still finish.
    if (in.browser_token.empty() || !crypto::ConstantTimeEquals(row->browser_hash, Hash(in.browser_token))) {
      return Claimed{};
    }
    VEZA_ASSIGN_OR_RETURN(bool first, oauth_store::UseState(s, row->state_hash, now));
    return Claimed{first, *row};
  });
  if (!claimed.ok()) {
    log::Warn("oauth callback: cannot claim the state", {{"error", claimed.error().detail}});
    return CompleteUrl({{"error", "server_error"}});
  }
  if (!claimed->ok) return CompleteUrl({{"error", "invalid_state"}});
  const auto& st = claimed->row;
  if (!in.error.empty() || in.code.empty()) {
    return CompleteUrl({{"error", in.error.empty() ? "provider_error" : ProviderError(in.error)},
                        {"provider", p->name},
                        {"redirect", st.redirect_path}});
  }
  Outcome out = Complete(*p, in.code, st.code_verifier, st.user_id);
  if (!out.error.empty()) {
    return CompleteUrl({{"error", out.error}, {"provider", p->name}, {"redirect", st.redirect_path}});
  }
  if (out.linked && st.user_id) {
    return CompleteUrl({{"linked", p->name}, {"provider", p->name}, {"redirect", st.redirect_path}});
  }
  std::string code = crypto::RandomToken(32);
  Status saved = db_.InTransaction([&](db::Session& s) {
    return oauth_store::InsertCode(s, Hash(code), out.user_id, p->name, now,
                                   now + options_.code_ttl_s * 1000);
  });
  if (!saved.ok()) return CompleteUrl({{"error", "server_error"}, {"redirect", st.redirect_path}});
  return CompleteUrl({{"code", code}, {"provider", p->name}, {"redirect", st.redirect_path}});
}

OAuthService::Outcome OAuthService::Complete(const OAuthProvider& p, const std::string& code,
                                             const std::string& verifier,
                                             std::optional<int64_t> link_user_id) {
  auto token = RedeemCode(p, code, verifier);
  if (!token.ok()) {
    log::Warn("oauth: token exchange failed", {{"provider", p.name}, {"error", token.error().detail}});
    return {"token_exchange_failed"};
  }
  auto identity = FetchIdentity(p, *token);
  if (!identity.ok()) {
    log::Warn("oauth: userinfo failed", {{"provider", p.name}, {"error", identity.error().detail}});
    return {"userinfo_failed"};
  }
  return Resolve(p, *identity, link_user_id);
}

Result<std::string> OAuthService::RedeemCode(const OAuthProvider& p, const std::string& code,
                                             const std::string& verifier) {
  std::vector<std::pair<std::string, std::string>> form = {{"grant_type", "authorization_code"},
                                                           {"code", code},
                                                           {"redirect_uri", RedirectUri(p)},
                                                           {"code_verifier", verifier}};
  net::HttpRequest req{.method = "POST", .url = p.token_url};
  req.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
  if (p.client_auth_basic) {
    // RFC 6749 §2.3.1: each part form-encoded, then Basic.
    req.headers.emplace_back("Authorization", "Basic " + Base64(PercentEncode(p.client_id) + ":" +
                                                                PercentEncode(p.client_secret)));
  } else {
    form.emplace_back("client_id", p.client_id);
    form.emplace_back("client_secret", p.client_secret);
  }
  req.body = net::FormEncode(form);
  VEZA_ASSIGN_OR_RETURN(net::HttpResponse resp, http_.Send(req));
  if (resp.status != 200) {
    return Unavailable(
        "The provider refused the sign-in.",
        "token endpoint answered " + std::to_string(resp.status) + ": " + resp.body.substr(0, 200));
  }
  auto doc = json::Parse(resp.body);
  if (!doc.ok() || !doc->is_object())
    return Unavailable("The provider refused the sign-in.", "token reply not JSON");
  const auto* access = doc->as_object().if_contains("access_token");
  if (access == nullptr || !access->is_string() || access->as_string().empty()) {
    return Unavailable("The provider refused the sign-in.", "token reply without access_token");
  }
  return std::string(access->as_string());
}

Result<ExternalIdentity> OAuthService::FetchIdentity(const OAuthProvider& p,
                                                     const std::string& access_token) {
  net::HttpRequest req{.url = p.userinfo_url, .max_attempts = 2};
  req.headers = {{"Authorization", "Bearer " + access_token}, {"Accept", "application/json"}};
  VEZA_ASSIGN_OR_RETURN(net::HttpResponse resp, http_.Send(req));
  if (resp.status != 200) {
    return Unavailable("The provider did not describe the account.",
                       "userinfo answered " + std::to_string(resp.status));
  }
  return ParseUserinfo(p, resp.body);
}

Result<users::User> OAuthService::CreateAccount(const OAuthProvider& p, const ExternalIdentity& id) {
  std::string base = DeriveUsernameBase(id, p.name);
  std::string display = id.name.empty() ? (id.username.empty() ? base : id.username) : id.name;
  // Cut on a UTF-8 boundary to the 50 characters profiles allow.
  size_t chars = 0, cut = 0;
  for (; cut < display.size(); ++cut) {
    if ((static_cast<unsigned char>(display[cut]) & 0xC0) != 0x80 && ++chars > 50) break;
  }
  display.resize(cut);
  for (int attempt = 0; attempt < 12; ++attempt) {
    std::string name = base;
    if (attempt > 0) {
      // 2, 3, … first; then random digits, so a crowd of namesakes cannot keep us looping.
      std::string suffix = attempt < 6
                               ? std::to_string(attempt + 1)
                               : std::to_string(static_cast<unsigned char>(crypto::RandomBytes(1)[0]) * 1000 +
                                                static_cast<unsigned char>(crypto::RandomBytes(1)[0]));
      name = base.substr(0, 30 - suffix.size()) + suffix;
    }
    auto created = users_.Create({.email = id.email, .username = name, .display_name = display});
    if (created.ok()) {
      if (id.email_verified) (void)users_.MarkEmailVerified(created->id, created->email);
      return created;
    }
    bool name_problem = created.error().fields.count("username") > 0;
    if (!name_problem) return created;
  }
  return MakeError(ErrorCode::kConflict, "No free username could be derived.", "username_taken");
}

OAuthService::Outcome OAuthService::Resolve(const OAuthProvider& p, const ExternalIdentity& id,
                                            std::optional<int64_t> link_user_id) {
  int64_t now = clock_.NowMs();
  auto existing = db_.ReadValue<std::optional<oauth_store::ConnectionRow>>(
      [&](db::Session& s) { return oauth_store::FindConnection(s, p.name, id.subject); });
  if (!existing.ok()) return {"server_error"};
  if (*existing) {
    const auto& c = **existing;
    if (link_user_id && *link_user_id != c.user_id) return {"already_linked"};
    (void)db_.InTransaction(
        [&](db::Session& s) { return oauth_store::TouchConnection(s, c.id, id.email, id.name, now); });
    return {"", c.user_id, link_user_id.has_value()};
  }

  int64_t user_id = 0;
  if (link_user_id) {
    user_id = *link_user_id;
  } else if (!id.email.empty()) {
    auto by_email = users_.FindByEmail(id.email);
    if (!by_email.ok()) return {"server_error"};
    if (*by_email) {
      // Auto-link only when both sides proved the address: otherwise someone who registered a victim's
      // address without verifying it would inherit the victim's provider sign-in.
      if (!id.email_verified || !(*by_email)->email_verified) return {"email_taken"};
      user_id = (*by_email)->id;
    }
  }
  if (user_id == 0) {
    if (id.email.empty()) return {"email_required"};
    auto created = CreateAccount(p, id);
    if (!created.ok()) {
      if (created.error().fields.count("email")) return {"email_taken"};
      log::Warn("oauth: cannot create the account",
                {{"provider", p.name}, {"error", created.error().message}});
      return {"server_error"};
    }
    user_id = created->id;
  }
  oauth_store::ConnectionRow row{ids_.Next(), user_id, p.name, id.subject, id.email, id.name, now, now};
  Status linked = db_.InTransaction([&](db::Session& s) -> Status {
    VEZA_ASSIGN_OR_RETURN(auto mine, oauth_store::FindUserConnection(s, user_id, p.name));
    if (mine) return MakeError(ErrorCode::kConflict, "provider already linked", "provider_already_linked");
    return oauth_store::InsertConnection(s, row);
  });
  if (!linked.ok()) {
    if (linked.error().slug == "provider_already_linked") return {"provider_already_linked"};
    if (linked.error().code == ErrorCode::kConflict) return {"already_linked"};
    return {"server_error"};
  }
  return {"", user_id, link_user_id.has_value()};
}

Result<SignIn> OAuthService::Exchange(std::string_view code, const SecondFactor& second,
                                      const ClientInfo& client) {
  if (code.empty() || code.size() > 128) return InvalidCode();
  std::string hash = Hash(code);
  int64_t now = clock_.NowMs();
  VEZA_ASSIGN_OR_RETURN(auto row, db_.ReadValue<std::optional<oauth_store::CodeRow>>(
                                      [&](db::Session& s) { return oauth_store::FindCode(s, hash); }));
  if (!row || row->used_at || row->expires_at <= now) return InvalidCode();
  VEZA_ASSIGN_OR_RETURN(users::User user, users_.Get(row->user_id));
  // Checked before the code is spent, so a 401 totp_required lets the client ask for the code and retry.
  VEZA_TRY(auth_.CheckExternalSignIn(user, second, client));
  VEZA_ASSIGN_OR_RETURN(bool first, db_.Transaction<bool>([&](db::Session& s) {
    return oauth_store::UseCode(s, hash, clock_.NowMs());
  }));
  if (!first) return InvalidCode();
  return auth_.OpenSession(user, client);
}

Result<std::vector<Connection>> OAuthService::ListConnections(int64_t user_id) {
  VEZA_ASSIGN_OR_RETURN(auto rows,
                        db_.ReadValue<std::vector<oauth_store::ConnectionRow>>(
                            [&](db::Session& s) { return oauth_store::ListConnections(s, user_id); }));
  std::vector<Connection> out;
  for (const auto& r : rows) {
    const OAuthProvider* p = Find(r.provider);
    out.push_back(
        {r.provider, p ? p->display_name : r.provider, r.name, r.email, r.created_at, r.last_used_at});
  }
  return out;
}

Status OAuthService::DeleteConnection(int64_t user_id, std::string_view provider) {
  VEZA_ASSIGN_OR_RETURN(users::User user, users_.Get(user_id));
  std::string name(provider);
  return db_.InTransaction([&](db::Session& s) -> Status {
    VEZA_ASSIGN_OR_RETURN(auto all, oauth_store::ListConnections(s, user_id));
    bool linked = std::any_of(all.begin(), all.end(), [&](const auto& c) { return c.provider == name; });
    if (!linked) return NotFound("This provider is not connected to your account.");
    if (user.password_hash.empty() && all.size() <= 1) {
      return MakeError(ErrorCode::kConflict,
                       "This is the only way to sign in to your account; set a password or connect another "
                       "provider first.",
                       "last_sign_in_method");
    }
    VEZA_TRY(oauth_store::DeleteConnection(s, user_id, name));
    return Ok();
  });
}

}  // namespace veza::auth
