CREATE TABLE scaling_policies (
  id TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  name TEXT NOT NULL,
  spec TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  last_up_at BIGINT,
  last_down_at BIGINT,
  last_job_id TEXT,
  last_outcome TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by TEXT
);
CREATE UNIQUE INDEX scaling_policies_app_name ON scaling_policies (app, name);
CREATE TABLE scaling_decisions (
  id TEXT PRIMARY KEY,
  policy_id TEXT NOT NULL,
  at BIGINT NOT NULL,
  trigger_kind TEXT NOT NULL,
  direction TEXT,
  outcome TEXT NOT NULL,
  reason TEXT NOT NULL,
  current_count INTEGER,
  desired_count INTEGER,
  job_id TEXT,
  alerts TEXT NOT NULL
);
CREATE INDEX scaling_decisions_policy ON scaling_decisions (policy_id, at);
CREATE TABLE alerts (
  fingerprint TEXT NOT NULL,
  starts_at BIGINT NOT NULL,
  status TEXT NOT NULL,
  labels TEXT NOT NULL,
  ends_at BIGINT,
  received_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  PRIMARY KEY (fingerprint, starts_at)
);
CREATE INDEX alerts_status ON alerts (status, last_seen_at);
