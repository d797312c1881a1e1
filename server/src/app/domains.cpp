#include "app/components.h"
#include "auth/stream_token.h"
#include "core/ids.h"
#include "mail/outbox_routes.h"
#include "uploads/upload_routes.h"
#include "users/profile_media.h"

namespace veza::app {

namespace {

// Media URLs carry identity's stream tokens, so one token format and one secret serve every domain.
class AuthStreamSigner final : public tracks::StreamSigner {
 public:
  AuthStreamSigner(std::string secret, const Clock& clock) : secret_(std::move(secret)), clock_(clock) {}

  tracks::SignedToken Sign(std::string_view scope, int64_t ttl_ms) const override {
    auth::StreamGrant grant{.scope = std::string(scope), .user_id = 0, .expires_at_ms = clock_.NowMs() + ttl_ms};
    return {auth::SignStreamToken(grant, secret_), grant.expires_at_ms};
  }
  bool Verify(std::string_view token, std::string_view scope) const override {
    return auth::VerifyStreamToken(token, scope, secret_, clock_.NowMs()).ok();
  }

 private:
  std::string secret_;
  const Clock& clock_;
};

void WireIdentity(Components& c, http::Router& router) {
  RegisterIdentityRoutes(router, c.config, *c.identity);
  mail::RegisterOutboxRoutes(router, *c.database);
  if (c.identity->delivery) {
    c.job_handlers.emplace_back("mail.deliver",
                                [&d = *c.identity->delivery](const jobs::Job& job) { return d.HandleJob(job); });
  }
}

// Tracks take finished uploads; c.uploads is built after the tracks, so it is looked up per request.
tracks::UploadClaims FinishedUploads(Components& c) {
  return {.claim = [&c](int64_t user_id, std::string_view upload_id) -> Result<tracks::UploadedFile> {
            auto id = ParseId(upload_id);
            if (!id) return MakeError(ErrorCode::kNotFound, "No such upload.", "upload_not_found");
            VEZA_ASSIGN_OR_RETURN(uploads::FinishedUpload f, c.uploads->Finished(user_id, *id));
            return tracks::UploadedFile{.path = f.path, .file_name = f.file_name, .move = true};
          },
          .release =
              [&c](std::string_view upload_id) {
                if (auto id = ParseId(upload_id)) (void)c.uploads->Release(*id);
              }};
}

void WireTracks(Components& c, http::Router& router) {
  tracks::UsernameLookup lookup = [&users = *c.identity->users](std::string_view username) -> Result<int64_t> {
    VEZA_ASSIGN_OR_RETURN(users::User user, users.GetByUsername(username));
    return user.id;
  };
  // Track JSON shows its owner: one batch query per response, never one per track.
  tracks::OwnerLookup owners =
      [&users = *c.identity->users](const std::vector<int64_t>& ids) -> Result<std::map<int64_t, tracks::TrackOwner>> {
    VEZA_ASSIGN_OR_RETURN(std::vector<users::User> found, users.GetMany(ids));
    std::map<int64_t, tracks::TrackOwner> out;
    for (const auto& u : found) {
      if (u.disabled()) continue;
      out[u.id] = {.id = u.id,
                   .username = u.username,
                   .display_name = u.display_name,
                   .avatar_url = users::ProfileMediaService::ImageUrl(u, users::ImageKind::kAvatar)};
    }
    return out;
  };
  TracksSettings settings;
  settings.max_upload_bytes = static_cast<uint64_t>(c.config.tracks_max_upload_bytes);
  settings.quota_bytes = c.config.tracks_quota_bytes;
  settings.uploads = FinishedUploads(c);
  settings.delivery = tracks::ParseDeliveryMode(c.config.media_delivery).value_or(tracks::DeliveryMode::kProxy);
  c.tracks = std::make_unique<TracksComponents>(RegisterTracks(
      router, c.config, settings, *c.database, *c.objects, *c.queue, c.clock, c.ids, std::move(lookup),
      std::make_unique<AuthStreamSigner>(c.config.stream_token_secret, c.clock), std::move(owners), c.registry));
  c.job_handlers.emplace_back(tracks::kProcessJobKind, [&p = *c.tracks->processor](const jobs::Job& job) {
    return p.ProcessTrack(job);
  });
}

// Partial files stay on this node's disk, under the data directory, beside the request spool.
void WireUploads(Components& c, http::Router& router) {
  uploads::UsedBytesFn used = [&c](int64_t user_id) { return c.tracks->service->UsedBytes(user_id); };
  c.uploads = std::make_unique<uploads::UploadService>(
      *c.database, c.clock, c.ids, std::move(used),
      uploads::UploadServiceOptions{.dir = c.config.data_dir + "/uploads",
                                    .max_bytes = c.config.tracks_max_upload_bytes,
                                    .quota_bytes = c.config.tracks_quota_bytes,
                                    .expiry_ms = c.config.uploads_expiry_s * 1000});
  uploads::RegisterUploadRoutes(router, *c.uploads);
  c.upload_cleaner = std::make_unique<uploads::UploadCleaner>(
      *c.uploads, std::chrono::seconds(c.config.uploads_cleanup_interval_s));
}

}  // namespace

// Each capability adds one line here: its routes on `router`, its job handlers on `c.job_handlers`.
void WireDomains(Components& c, http::Router& router) {
  WireIdentity(c, router);
  WireTracks(c, router);
  WireUploads(c, router);
}

}  // namespace veza::app
