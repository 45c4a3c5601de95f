CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  spec TEXT NOT NULL,
  priority INTEGER NOT NULL DEFAULT 0,
  idempotency_key TEXT,
  request_hash TEXT,
  submitted_by TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  started_at BIGINT,
  finished_at BIGINT,
  owner TEXT,
  heartbeat_at BIGINT,
  claims INTEGER NOT NULL DEFAULT 0,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  planned INTEGER NOT NULL DEFAULT 0,
  total INTEGER NOT NULL DEFAULT 0,
  succeeded INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  skipped INTEGER NOT NULL DEFAULT 0,
  cancelled INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  result TEXT
);
CREATE UNIQUE INDEX jobs_idempotency_key ON jobs (idempotency_key);
CREATE INDEX jobs_claim ON jobs (state, priority, created_at);
CREATE INDEX jobs_created ON jobs (created_at, id);
CREATE INDEX jobs_app_created ON jobs (app, created_at);
CREATE INDEX jobs_finished ON jobs (finished_at);
CREATE TABLE job_slots (
  job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  slot INTEGER NOT NULL,
  machine_id TEXT,
  action TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  error_code TEXT,
  error TEXT,
  exit_code INTEGER,
  started_at BIGINT,
  finished_at BIGINT,
  detail TEXT,
  PRIMARY KEY (job_id, slot)
);
