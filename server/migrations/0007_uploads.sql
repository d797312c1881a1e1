-- Resumable (tus 1.0.0) uploads in progress. The bytes live on the receiving node's disk under
-- <data_dir>/uploads/<id>.part; the row keeps the acknowledged offset so an upload survives a restart.
-- user_id refers to users(id); no foreign key so the uploads module stays independent.
CREATE TABLE uploads (
  id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  length BIGINT NOT NULL,
  upload_offset BIGINT NOT NULL DEFAULT 0,
  metadata TEXT NOT NULL DEFAULT '',
  file_name TEXT NOT NULL DEFAULT '',
  file_type TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX uploads_user ON uploads (user_id);
CREATE INDEX uploads_expires ON uploads (expires_at);
