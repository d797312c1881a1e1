#pragma once
/// PUT/DELETE /api/v1/users/me/{avatar,banner} (raw image body, ≤ 10 MB) and
/// GET /api/v1/users/{username}/{avatar,banner}?size=…&v=… (cacheable, ETag, immutable when versioned).

#include "http/router.h"
#include "users/profile_media.h"

namespace veza::users {

/// The upload cap: bodies announced larger are refused with 413 before they are read.
inline constexpr size_t kMaxImageUploadBytes = 10 * 1024 * 1024;
/// Unversioned image URLs may be cached this long; versioned ones for a year, immutable.
inline constexpr int kImageMaxAgeS = 300;

void RegisterProfileMediaRoutes(http::Router& router, ProfileMediaService& service);

}  // namespace veza::users
