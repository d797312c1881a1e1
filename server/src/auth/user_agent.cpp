#include "auth/user_agent.h"

namespace veza::auth {

namespace {

bool Has(std::string_view ua, std::string_view needle) { return ua.find(needle) != std::string_view::npos; }

}  // namespace

UserAgentInfo ParseUserAgent(std::string_view ua) {
  UserAgentInfo info{"Unknown", "Unknown", "unknown"};
  if (ua.empty()) return info;
  // Order matters: Edge and Opera also say Chrome, Chrome also says Safari.
  if (Has(ua, "Edg/") || Has(ua, "Edge/")) info.browser = "Edge";
  else if (Has(ua, "OPR/") || Has(ua, "Opera")) info.browser = "Opera";
  else if (Has(ua, "Firefox/") || Has(ua, "FxiOS/")) info.browser = "Firefox";
  else if (Has(ua, "Chrome/") || Has(ua, "CriOS/") || Has(ua, "Chromium/")) info.browser = "Chrome";
  else if (Has(ua, "Safari/")) info.browser = "Safari";
  else if (ua.substr(0, 5) == "curl/") info.browser = "curl";
  else if (Has(ua, "python-requests") || Has(ua, "Python-urllib")) info.browser = "Python";
  else if (ua.substr(0, 5) == "Veza/") info.browser = "Veza app";

  if (Has(ua, "iPhone") || Has(ua, "iPad") || Has(ua, "iPod")) info.os = "iOS";
  else if (Has(ua, "Android")) info.os = "Android";
  else if (Has(ua, "CrOS")) info.os = "ChromeOS";
  else if (Has(ua, "Windows")) info.os = "Windows";
  else if (Has(ua, "Mac OS X") || Has(ua, "Macintosh")) info.os = "macOS";
  else if (Has(ua, "Linux") || Has(ua, "X11")) info.os = "Linux";

  if (Has(ua, "bot") || Has(ua, "Bot") || Has(ua, "crawler") || Has(ua, "Spider")) info.device = "bot";
  else if (Has(ua, "iPad") || Has(ua, "Tablet") || (info.os == "Android" && !Has(ua, "Mobile"))) info.device = "tablet";
  else if (Has(ua, "Mobile") || Has(ua, "iPhone")) info.device = "mobile";
  else if (info.os != "Unknown") info.device = "desktop";
  return info;
}

}  // namespace veza::auth
