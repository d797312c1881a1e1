-- Instance-wide settings (site name, registration policy, ...): the foundation's only table.
CREATE TABLE instance_settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
