#include "tracks/test_support.h"

#include <stdexcept>

#include "db/migrate.h"

namespace veza::tracks::testing {

Status PrepareSchema(db::Database& db) {
  VEZA_TRY(db::Migrate(db, db::EmbeddedMigrations()));
  return db.InTransaction([](db::Session& s) -> Status {
    VEZA_TRY(
        s.Execute("CREATE TABLE IF NOT EXISTS test_jobs (id BIGINT PRIMARY KEY, kind TEXT NOT NULL, "
                  "payload TEXT NOT NULL, idempotency_key TEXT NOT NULL, UNIQUE (kind, idempotency_key))"));
    return Ok();
  });
}

Result<int64_t> TableQueue::Enqueue(std::string_view kind, std::string_view payload,
                                    jobs::EnqueueOptions options) {
  return db_.Transaction<int64_t>([&](db::Session& s) { return EnqueueIn(s, kind, payload, options); });
}

Result<int64_t> TableQueue::EnqueueIn(db::Session& session, std::string_view kind, std::string_view payload,
                                      jobs::EnqueueOptions options) {
  if (fail_next) {
    fail_next = false;
    return Unavailable("queue down (test)");
  }
  const int64_t id = next_id_++;
  VEZA_TRY(
      session.Execute("INSERT INTO test_jobs (id, kind, payload, idempotency_key) VALUES ($1, $2, $3, $4)",
                      {id, std::string(kind), std::string(payload), options.idempotency_key}));
  return id;
}

std::vector<std::string> TableQueue::Payloads(std::string_view kind) {
  std::vector<std::string> out;
  auto r = db_.Read([&](db::Session& s) -> Status {
    VEZA_ASSIGN_OR_RETURN(
        auto q, s.Query("SELECT payload FROM test_jobs WHERE kind = $1 ORDER BY id", {std::string(kind)}));
    for (const auto& row : q.rows) out.push_back(row.Text(0));
    return Ok();
  });
  if (!r.ok()) throw std::runtime_error("reading test_jobs: " + r.error().detail);
  return out;
}

Fixture::Fixture(db::Database& db, const std::string& objects_root, TrackServiceOptions options) : queue(db) {
  auto store = storage::LocalObjectStore::Open(objects_root);
  if (!store.ok()) throw std::runtime_error("object store: " + store.error().detail);
  objects = std::move(*store);
  service = std::make_unique<TrackService>(db, *objects, queue, signer, clock, ids, std::move(options));
}

}  // namespace veza::tracks::testing
