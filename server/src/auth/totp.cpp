#include "auth/totp.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <qrencode.h>

#include <memory>

#include "core/crypto.h"
#include "core/url.h"

namespace veza::auth::totp {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";


}  // namespace

std::string Base32Encode(std::string_view bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

std::optional<std::string> Base32Decode(std::string_view text) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char raw : text) {
    if (raw == ' ' || raw == '=' || raw == '-') continue;
    char c = static_cast<char>(std::toupper(static_cast<unsigned char>(raw)));
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= '2' && c <= '7') {
      v = c - '2' + 26;
    } else {
      return std::nullopt;
    }
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<char>((buffer >> (bits - 8)) & 0xFF));
      bits -= 8;
    }
  }
  return out;
}

std::string Hotp(std::string_view key, uint64_t counter, int digits) {
  unsigned char msg[8];
  for (int i = 7; i >= 0; --i) {
    msg[i] = static_cast<unsigned char>(counter & 0xFF);
    counter >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), msg, sizeof msg, mac, &mac_len);
  // RFC 4226 §5.3 dynamic truncation.
  int offset = mac[mac_len - 1] & 0x0F;
  uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7F) << 24) |
                    (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                    (static_cast<uint32_t>(mac[offset + 2]) << 8) | static_cast<uint32_t>(mac[offset + 3]);
  uint32_t modulo = 1;
  for (int i = 0; i < digits; ++i) modulo *= 10;
  std::string code = std::to_string(binary % modulo);
  return std::string(static_cast<size_t>(digits) - code.size(), '0') + code;
}

int64_t StepAt(int64_t unix_seconds) {
  return unix_seconds / kStepSeconds;
}

std::string CodeAt(std::string_view key, int64_t unix_seconds, int digits) {
  return Hotp(key, static_cast<uint64_t>(StepAt(unix_seconds)), digits);
}

std::optional<int64_t> MatchStep(std::string_view key, std::string_view code, int64_t unix_seconds,
                                 int64_t last_used_step, int window) {
  if (code.size() != static_cast<size_t>(kDigits)) return std::nullopt;
  int64_t now = StepAt(unix_seconds);
  std::optional<int64_t> match;
  // Every candidate is computed and compared, so timing does not tell which step matched.
  for (int64_t step = now - window; step <= now + window; ++step) {
    if (step < 0) continue;
    bool same = crypto::ConstantTimeEquals(Hotp(key, static_cast<uint64_t>(step)), code);
    if (same && step > last_used_step && !match) match = step;
  }
  return match;
}

std::string OtpauthUri(std::string_view issuer, std::string_view account, std::string_view base32_secret) {
  std::string label = PercentEncode(issuer) + ":" + PercentEncode(account);
  return "otpauth://totp/" + label + "?secret=" + std::string(base32_secret) +
         "&issuer=" + PercentEncode(issuer) + "&algorithm=SHA1&digits=" + std::to_string(kDigits) +
         "&period=" + std::to_string(kStepSeconds);
}

std::optional<std::string> QrSvg(std::string_view text) {
  std::string input(text);
  std::unique_ptr<QRcode, decltype(&QRcode_free)> qr(
      QRcode_encodeString(input.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1), &QRcode_free);
  if (!qr) return std::nullopt;
  constexpr int kQuiet = 4;
  int width = qr->width;
  int size = width + 2 * kQuiet;
  std::string path;
  // One horizontal run per row segment keeps the SVG small.
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width;) {
      if (!(qr->data[y * width + x] & 1)) {
        ++x;
        continue;
      }
      int start = x;
      while (x < width && (qr->data[y * width + x] & 1)) ++x;
      path += "M" + std::to_string(start + kQuiet) + " " + std::to_string(y + kQuiet) + "h" +
              std::to_string(x - start) + "v1h-" + std::to_string(x - start) + "z";
    }
  }
  std::string n = std::to_string(size);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + n + " " + n +
         "\" shape-rendering=\"crispEdges\"><rect width=\"" + n + "\" height=\"" + n +
         "\" fill=\"#fff\"/><path fill=\"#000\" d=\"" + path + "\"/></svg>";
}

}  // namespace veza::auth::totp
