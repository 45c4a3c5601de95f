CREATE TABLE instances (
  id TEXT PRIMARY KEY,
  heartbeat_at BIGINT NOT NULL
);
DROP INDEX jobs_claim;
CREATE INDEX jobs_queue ON jobs (priority DESC, created_at, id) WHERE state = 'queued' AND cancel_requested = 0;
CREATE INDEX jobs_running ON jobs (owner) WHERE state = 'running';
DROP INDEX jobs_idempotency_key;
CREATE UNIQUE INDEX jobs_idempotency_key ON jobs (idempotency_key) WHERE idempotency_key IS NOT NULL;
DROP INDEX jobs_finished;
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
DROP INDEX jobs_schedule_tick;
CREATE UNIQUE INDEX jobs_schedule_tick ON jobs (schedule_id, scheduled_at) WHERE schedule_id IS NOT NULL;
