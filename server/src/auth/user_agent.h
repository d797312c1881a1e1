#pragma once
/// A coarse reading of a User-Agent for the sessions list ("Firefox on Linux, desktop").

#include <string>
#include <string_view>

namespace veza::auth {

struct UserAgentInfo {
  std::string browser;  // Firefox, Chrome, Safari, Edge, Opera, curl, Veza app, … or "Unknown"
  std::string os;       // Windows, macOS, Linux, Android, iOS, ChromeOS or "Unknown"
  std::string device;   // desktop, mobile, tablet, bot or unknown
};

UserAgentInfo ParseUserAgent(std::string_view user_agent);

}  // namespace veza::auth
