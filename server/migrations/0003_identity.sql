-- Identity: accounts and profiles, sign-in sessions with rotating refresh tokens, single-use email
-- tokens, and the mail outbox. Times are epoch milliseconds; ids are app-generated BIGINTs.
CREATE TABLE users (
  id BIGINT PRIMARY KEY,
  username TEXT NOT NULL UNIQUE,          -- stored lower-case: unique case-insensitively
  email TEXT NOT NULL UNIQUE,             -- normalised (trimmed, lower-case)
  email_verified BOOLEAN NOT NULL DEFAULT FALSE,
  password_hash TEXT,                     -- Argon2id (libsodium string); NULL for accounts without one
  role TEXT NOT NULL DEFAULT 'user',      -- user | creator | moderator | admin
  status TEXT NOT NULL DEFAULT 'active',  -- active | disabled
  display_name TEXT NOT NULL DEFAULT '',
  bio TEXT NOT NULL DEFAULT '',
  location TEXT NOT NULL DEFAULT '',
  website TEXT NOT NULL DEFAULT '',
  social_links TEXT NOT NULL DEFAULT '[]', -- JSON [{platform, url}]
  is_private BOOLEAN NOT NULL DEFAULT FALSE,
  language TEXT NOT NULL DEFAULT 'en',
  avatar_key TEXT,
  banner_key TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

CREATE TABLE auth_sessions (
  id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  user_agent TEXT NOT NULL DEFAULT '',
  ip TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  revoked_at BIGINT,
  revoked_reason TEXT
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id, revoked_at);

-- Every refresh token ever issued for a session, by SHA-256: a used one presented again is theft.
CREATE TABLE auth_refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  session_id BIGINT NOT NULL REFERENCES auth_sessions(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX auth_refresh_tokens_session ON auth_refresh_tokens (session_id);

-- Email verification and password reset tokens, by SHA-256, single use.
CREATE TABLE auth_email_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL,                  -- verify_email | password_reset
  email TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX auth_email_tokens_user ON auth_email_tokens (user_id, purpose);

-- Every mail the instance sends, written first here; the mail.deliver job sends it over SMTP.
CREATE TABLE mail_outbox (
  id BIGINT PRIMARY KEY,
  to_address TEXT NOT NULL,
  template TEXT NOT NULL,
  language TEXT NOT NULL,
  subject TEXT NOT NULL,
  text_body TEXT NOT NULL,
  html_body TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending', -- pending | sent | failed
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  created_at BIGINT NOT NULL,
  sent_at BIGINT
);
CREATE INDEX mail_outbox_status ON mail_outbox (status, id);
