#include "users/user_validation.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

namespace veza::users {

namespace {

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n"), e = s.find_last_not_of(" \t\r\n");
  return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Names that would collide with routes, well-known pages or impersonate the instance.
constexpr std::array<std::string_view, 48> kReserved = {
    "admin", "administrator", "api", "www", "settings", "login", "logout", "register", "signup", "signin",
    "auth", "oauth", "me", "root", "system", "support", "help", "about", "terms", "privacy", "security",
    "veza", "staff", "moderator", "mod", "official", "null", "undefined", "static", "assets", "media",
    "upload", "uploads", "search", "explore", "feed", "discover", "library", "notifications", "messages",
    "health", "metrics", "status", "docs", "blog", "mail", "email", "account"};

const std::map<std::string, std::vector<std::string>, std::less<>>& PlatformHosts() {
  static const std::map<std::string, std::vector<std::string>, std::less<>> hosts = {
      {"spotify", {"spotify.com"}},
      {"soundcloud", {"soundcloud.com"}},
      {"bandcamp", {"bandcamp.com"}},
      {"youtube", {"youtube.com", "youtu.be"}},
      {"instagram", {"instagram.com"}},
      {"tiktok", {"tiktok.com"}},
      {"x", {"x.com", "twitter.com"}},
      {"facebook", {"facebook.com"}},
      {"twitch", {"twitch.tv"}},
      {"mixcloud", {"mixcloud.com"}},
      {"apple_music", {"music.apple.com"}},
      {"deezer", {"deezer.com"}},
      {"discord", {"discord.gg", "discord.com"}},
      {"patreon", {"patreon.com"}},
      {"website", {}},
  };
  return hosts;
}

// The host of an https URL already checked by HttpsUrlProblem.
std::string HostOf(std::string_view url) {
  std::string_view rest = url.substr(8);
  size_t end = rest.find_first_of("/?#:");
  return Lower(std::string(rest.substr(0, end)));
}

}  // namespace

const std::vector<std::string>& KnownPlatforms() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [name, hosts] : PlatformHosts()) out.push_back(name);
    return out;
  }();
  return names;
}

std::string NormalizeUsername(std::string_view username) { return Lower(Trim(username)); }

bool IsReservedUsername(std::string_view normalized) {
  return std::find(kReserved.begin(), kReserved.end(), normalized) != kReserved.end();
}

std::optional<std::string> UsernameProblem(std::string_view u) {
  if (IsReservedUsername(u)) return "is reserved";
  if (u.size() < 3 || u.size() > 30) return "must be 3 to 30 characters";
  for (char c : u) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return "may only contain letters a-z, digits, '_', '.' and '-'";
  }
  if (!std::isalnum(static_cast<unsigned char>(u.front()))) return "must start with a letter or a digit";
  return std::nullopt;
}

std::string NormalizeEmail(std::string_view email) { return Lower(Trim(email)); }

std::optional<std::string> EmailProblem(std::string_view e) {
  if (e.size() > 254) return "must be at most 254 characters";
  size_t at = e.find('@');
  if (at == std::string_view::npos || at == 0 || at != e.rfind('@') || at + 1 >= e.size()) {
    return "must be an email address";
  }
  std::string_view domain = e.substr(at + 1);
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return "must be an email address";
  }
  for (char c : e) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>' || c == '"' || c == ',' || c == ';' ||
        c == '\\' || c == '(' || c == ')') {
      return "must be an email address";
    }
  }
  return std::nullopt;
}

std::optional<std::string> HttpsUrlProblem(std::string_view url) {
  if (url.size() > kMaxUrl) return "must be at most " + std::to_string(kMaxUrl) + " characters";
  if (url.substr(0, 8) != "https://" && Lower(std::string(url.substr(0, 8))) != "https://") {
    return "must be an https:// link";
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '"' || c == '<' || c == '>' || c == '\\') {
      return "must be a valid link";
    }
  }
  std::string_view rest = url.substr(8);
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (authority.find('@') != std::string_view::npos) return "must not contain credentials";
  std::string host(authority.substr(0, authority.find(':')));
  if (host.empty() || host.find('.') == std::string::npos || host.front() == '.' || host.back() == '.' ||
      host.find("..") != std::string::npos) {
    return "must be a valid link";
  }
  for (char c : host) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') return "must be a valid link";
  }
  return std::nullopt;
}

std::optional<std::string> SocialLinkProblem(const SocialLink& link) {
  auto it = PlatformHosts().find(link.platform);
  if (it == PlatformHosts().end()) return "platform \"" + link.platform + "\" is not supported";
  if (auto p = HttpsUrlProblem(link.url)) return p;
  if (it->second.empty()) return std::nullopt;
  std::string host = HostOf(link.url);
  for (const auto& allowed : it->second) {
    if (host == allowed || (host.size() > allowed.size() && host.ends_with("." + allowed))) return std::nullopt;
  }
  return "must be a link to " + it->second.front();
}

std::optional<std::string> LanguageProblem(std::string_view language) {
  if (language == "en" || language == "fr") return std::nullopt;
  return "must be en or fr";
}

}  // namespace veza::users
