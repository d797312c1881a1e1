-- Durable background jobs shared by every node (jobs/). Times are epoch milliseconds from the app's clock.
CREATE TABLE jobs (
  id BIGINT PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'dead')),
  priority INTEGER NOT NULL DEFAULT 0,
  attempt INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL CHECK (max_attempts >= 1),
  run_at BIGINT NOT NULL,
  lease_until BIGINT,
  locked_by TEXT,
  last_error TEXT,
  idempotency_key TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  finished_at BIGINT
);

-- NULL keys are distinct on both engines, so only jobs given a key are deduplicated.
CREATE UNIQUE INDEX jobs_kind_idempotency_key ON jobs (kind, idempotency_key);

-- Claiming walks due queued jobs highest priority first, oldest first.
CREATE INDEX jobs_claim ON jobs (status, priority DESC, run_at);

-- Claiming also takes back running jobs whose lease expired (their worker died).
CREATE INDEX jobs_lease ON jobs (status, lease_until);

-- Purging finished jobs and operator listings by age.
CREATE INDEX jobs_finished ON jobs (status, finished_at);
