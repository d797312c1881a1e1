-- Tracks: metadata, processing state, analysis results and facts about the original upload.
-- user_id refers to users(id) (identity, 0003); no foreign key so the tracks domain stays independent.
CREATE TABLE tracks (
  id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  genre TEXT NOT NULL DEFAULT '',
  tags TEXT NOT NULL DEFAULT '[]',
  bpm DOUBLE PRECISION,
  musical_key TEXT NOT NULL DEFAULT '',
  lyrics TEXT NOT NULL DEFAULT '',
  lyrics_synced BOOLEAN NOT NULL DEFAULT FALSE,
  visibility TEXT NOT NULL DEFAULT 'public',
  downloadable BOOLEAN NOT NULL DEFAULT FALSE,
  licence TEXT NOT NULL DEFAULT 'all_rights_reserved',
  release_date TEXT NOT NULL DEFAULT '',
  explicit_content BOOLEAN NOT NULL DEFAULT FALSE,
  isrc TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT 'processing',
  status_message TEXT NOT NULL DEFAULT '',
  progress_stage TEXT NOT NULL DEFAULT 'queued',
  progress_percent BIGINT NOT NULL DEFAULT 0,
  duration_ms BIGINT NOT NULL DEFAULT 0,
  detected_bpm DOUBLE PRECISION,
  detected_bpm_confidence DOUBLE PRECISION,
  detected_key TEXT NOT NULL DEFAULT '',
  detected_key_confidence DOUBLE PRECISION,
  loudness_lufs DOUBLE PRECISION,
  true_peak_dbtp DOUBLE PRECISION,
  replay_gain_db DOUBLE PRECISION,
  original_format TEXT NOT NULL,
  original_container TEXT NOT NULL,
  original_codec TEXT NOT NULL,
  original_mime_type TEXT NOT NULL,
  original_extension TEXT NOT NULL,
  original_file_name TEXT NOT NULL DEFAULT '',
  original_size BIGINT NOT NULL,
  original_duration_ms BIGINT NOT NULL DEFAULT 0,
  original_sample_rate BIGINT NOT NULL DEFAULT 0,
  original_channels BIGINT NOT NULL DEFAULT 0,
  original_bit_rate BIGINT NOT NULL DEFAULT 0,
  original_bits_per_sample BIGINT NOT NULL DEFAULT 0,
  original_lossless BOOLEAN NOT NULL DEFAULT FALSE,
  cover_key TEXT NOT NULL DEFAULT '',
  cover_mime_type TEXT NOT NULL DEFAULT '',
  play_count BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  processed_at BIGINT
);

-- Public listing (newest first) and a user's tracks; ids are time-ordered, so id order is age order.
CREATE INDEX tracks_public_idx ON tracks (visibility, status, id);
CREATE INDEX tracks_user_idx ON tracks (user_id, id);

-- One row per listener and play session, so repeated events count once; kept for analytics.
CREATE TABLE track_plays (
  track_id BIGINT NOT NULL,
  listener TEXT NOT NULL,
  session TEXT NOT NULL,
  started_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  listened_ms BIGINT NOT NULL DEFAULT 0,
  completed BOOLEAN NOT NULL DEFAULT FALSE,
  PRIMARY KEY (track_id, listener, session)
);
