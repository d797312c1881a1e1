#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <optional>

#include "middleware/middleware.h"

namespace veza::middleware {

namespace {

struct Network {
  int family = 0;  // AF_INET or AF_INET6
  std::array<unsigned char, 16> address{};
  int prefix_bits = 0;
};

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

std::optional<Network> ParseAddress(const std::string& text) {
  Network n;
  if (inet_pton(AF_INET, text.c_str(), n.address.data()) == 1) {
    n.family = AF_INET;
    n.prefix_bits = 32;
    return n;
  }
  if (inet_pton(AF_INET6, text.c_str(), n.address.data()) == 1) {
    n.family = AF_INET6;
    n.prefix_bits = 128;
    return n;
  }
  return std::nullopt;
}

std::optional<Network> ParseNetwork(const std::string& text) {
  size_t slash = text.find('/');
  auto n = ParseAddress(text.substr(0, slash));
  if (!n || slash == std::string::npos) return n;
  int bits = 0;
  std::string tail = text.substr(slash + 1);
  if (tail.empty() || tail.size() > 3 || tail.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  bits = std::stoi(tail);
  if (bits > n->prefix_bits) return std::nullopt;
  n->prefix_bits = bits;
  return n;
}

bool Contains(const Network& net, const Network& addr) {
  if (net.family != addr.family) return false;
  int full = net.prefix_bits / 8, rest = net.prefix_bits % 8;
  if (std::memcmp(net.address.data(), addr.address.data(), static_cast<size_t>(full)) != 0) return false;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xFF << (8 - rest));
  return (net.address[full] & mask) == (addr.address[full] & mask);
}

bool IsTrusted(const std::vector<Network>& trusted, const std::string& ip) {
  auto addr = ParseAddress(ip);
  if (!addr) return false;
  for (const Network& net : trusted) {
    if (Contains(net, *addr)) return true;
  }
  return false;
}

}  // namespace

Status ValidateTrustedProxies(const std::vector<std::string>& proxies) {
  std::map<std::string, std::string> fields;
  for (const auto& p : proxies) {
    if (!ParseNetwork(p)) fields["http.trusted_proxies"] = "\"" + p + "\" is not an IP address or CIDR network";
  }
  if (fields.empty()) return Ok();
  return Validation(std::move(fields));
}

http::Middleware ClientIp(const std::vector<std::string>& trusted_proxies) {
  std::vector<Network> trusted;
  for (const auto& p : trusted_proxies) {
    if (auto n = ParseNetwork(p)) trusted.push_back(*n);
  }
  return [trusted = std::move(trusted)](http::Request& req, const http::Handler& next) {
    if (trusted.empty() || !IsTrusted(trusted, req.remote_ip)) return next(req);
    auto forwarded = req.Header("X-Forwarded-For");
    if (!forwarded) return next(req);
    // Walk from the right: the nearest hop is our proxy's view; skip every hop we trust.
    std::string_view list = *forwarded;
    while (!list.empty()) {
      size_t comma = list.rfind(',');
      std::string hop = Trim(comma == std::string_view::npos ? list : list.substr(comma + 1));
      list = comma == std::string_view::npos ? std::string_view() : list.substr(0, comma);
      if (!ParseAddress(hop)) break;  // garbage: keep the proxy's own address
      req.remote_ip = hop;
      if (!IsTrusted(trusted, hop)) break;
    }
    return next(req);
  };
}

}  // namespace veza::middleware
