#pragma once
// Test support for tracks: a migrated scratch database, a job queue over a real table, audio fixtures.

#include <memory>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "db/session.h"
#include "jobs/queue.h"
#include "storage/local_store.h"
#include "tracks/testing/hmac_stream_signer.h"
#include "tracks/track_service.h"

namespace veza::tracks::testing {

/// Applies the embedded migrations and creates `test_jobs`, the table TableQueue writes to.
Status PrepareSchema(db::Database& db);

/// jobs::Queue over a plain table in the caller's transaction, so tests see exactly what committed.
class TableQueue final : public jobs::Queue {
 public:
  explicit TableQueue(db::Database& db) : db_(db) {}
  Result<int64_t> Enqueue(std::string_view kind, std::string_view payload,
                          jobs::EnqueueOptions options) override;
  Result<int64_t> EnqueueIn(db::Session& session, std::string_view kind, std::string_view payload,
                            jobs::EnqueueOptions options) override;
  /// Payloads of committed jobs of `kind`, oldest first.
  std::vector<std::string> Payloads(std::string_view kind);
  /// Makes the next EnqueueIn fail (to prove the upload transaction rolls back).
  bool fail_next = false;

 private:
  db::Database& db_;
  int64_t next_id_ = 1;
};

/// Everything a TrackService needs, on a scratch database and a temporary object root.
struct Fixture {
  explicit Fixture(db::Database& db, const std::string& objects_root, TrackServiceOptions options = {});
  ManualClock clock;
  IdGenerator ids{clock, 1};
  std::unique_ptr<storage::LocalObjectStore> objects;
  TableQueue queue;
  HmacStreamSigner signer{"test-secret", clock};
  std::unique_ptr<TrackService> service;
};

}  // namespace veza::tracks::testing
