#pragma once
/// The rules for usernames, emails and profile fields. Each returns the problem, or nullopt when fine.

#include <optional>
#include <string>
#include <string_view>

#include "users/user.h"

namespace veza::users {

inline constexpr size_t kMaxBio = 1000;
inline constexpr size_t kMaxDisplayName = 50;
inline constexpr size_t kMaxLocation = 100;
inline constexpr size_t kMaxUrl = 300;
inline constexpr size_t kMaxSocialLinks = 10;

/// Lower-cases and trims; the rules are then checked on the result.
std::string NormalizeUsername(std::string_view username);
/// 3–30 of a-z 0-9 _ . -, starting with a letter or digit, not reserved.
std::optional<std::string> UsernameProblem(std::string_view normalized);
bool IsReservedUsername(std::string_view normalized);

/// Trims and lower-cases the whole address (mailbox names are case-insensitive in practice).
std::string NormalizeEmail(std::string_view email);
std::optional<std::string> EmailProblem(std::string_view normalized);

/// An absolute https:// URL with a host name, no credentials, no spaces, at most kMaxUrl characters.
std::optional<std::string> HttpsUrlProblem(std::string_view url);
/// Known platform and an https URL on one of the platform's hosts ("website" takes any host).
std::optional<std::string> SocialLinkProblem(const SocialLink& link);

std::optional<std::string> LanguageProblem(std::string_view language);

}  // namespace veza::users
