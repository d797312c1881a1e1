#pragma once
/// HTTP endpoints of the tracks domain under /api/v1.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "http/router.h"
#include "tracks/delivery.h"
#include "tracks/media_metrics.h"
#include "tracks/track_service.h"

namespace veza::tracks {

/// Resolves a username to a user id (404 when unknown); provided by the users domain at wiring.
using UsernameLookup = std::function<Result<int64_t>(std::string_view username)>;

/// Finished resumable uploads, provided by the uploads module at wiring (POST /tracks with a JSON body).
struct UploadClaims {
  /// The caller's finished upload: 404 when unknown or someone else's, 409 while bytes are missing.
  std::function<Result<UploadedFile>(int64_t user_id, std::string_view upload_id)> claim;
  /// Forgets the upload once a track took its file (or the file is gone).
  std::function<void(std::string_view upload_id)> release;
};
/// The owners of a batch of tracks by user id, in one query (accounts that are gone are absent).
using OwnerLookup =
    std::function<Result<std::map<int64_t, TrackOwner>>(const std::vector<int64_t>& user_ids)>;

struct TrackRoutesOptions {
  uint64_t max_upload_bytes = 2ULL * 1024 * 1024 * 1024;  // tracks.max_upload_bytes
  /// Where multipart file parts are extracted; "" → beside the spooled body.
  std::string part_dir;
  UploadClaims uploads;  // unset: POST /tracks takes multipart only
  /// Owners embedded in track JSON; without one, `owner` is null.
  OwnerLookup owners;
  /// With a store that has no local files: media proxied or redirected to presigned URLs (media.delivery).
  DeliveryMode delivery = DeliveryMode::kProxy;
  /// Delivery counters; nullptr counts nothing.
  MediaMetrics* metrics = nullptr;
};

void RegisterTrackRoutes(http::Router& router, TrackService& service, UsernameLookup lookup,
                         TrackRoutesOptions options = {});

}  // namespace veza::tracks
