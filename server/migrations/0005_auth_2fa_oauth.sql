-- Two-factor sign-in (TOTP + recovery codes) and OAuth 2.0 / OpenID Connect sign-in and linking.
-- Times are epoch milliseconds; every token or code we hand out is stored only as SHA-256 hex.

-- One row per account that started TOTP setup; enabled_at stays NULL until a code confirmed it.
CREATE TABLE auth_totp (
  user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  secret TEXT NOT NULL,                   -- base32 shared secret (HMAC key, so it cannot be hashed)
  enabled_at BIGINT,
  last_used_step BIGINT NOT NULL DEFAULT 0, -- highest 30 s step accepted: a code is good once
  created_at BIGINT NOT NULL
);

CREATE TABLE auth_recovery_codes (
  code_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX auth_recovery_codes_user ON auth_recovery_codes (user_id);

-- Authorization requests in flight: single use, 10 minutes.
CREATE TABLE auth_oauth_states (
  state_hash TEXT PRIMARY KEY,
  provider TEXT NOT NULL,
  code_verifier TEXT NOT NULL,            -- PKCE (S256); only ever sent to the provider's token endpoint
  browser_hash TEXT NOT NULL,             -- binds the flow to the browser that started it (cookie)
  user_id BIGINT REFERENCES users(id) ON DELETE CASCADE, -- set when a signed-in user links a provider
  redirect_path TEXT NOT NULL,            -- where the web client goes afterwards (a path of ours)
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX auth_oauth_states_expiry ON auth_oauth_states (expires_at);

-- Accounts at a provider linked to ours: one per provider per account, one account per provider identity.
CREATE TABLE auth_oauth_connections (
  id BIGINT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  subject TEXT NOT NULL,                  -- the provider's stable account id
  email TEXT NOT NULL DEFAULT '',
  name TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  last_used_at BIGINT NOT NULL,
  UNIQUE (provider, subject),
  UNIQUE (user_id, provider)
);

-- One-time codes the callback hands the web client, traded for tokens: single use, 2 minutes.
CREATE TABLE auth_oauth_codes (
  code_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
