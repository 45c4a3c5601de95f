DROP INDEX jobs_idempotency_key;
-- keys are scoped to who submitted and to the app: one tenant's key never meets another's job
CREATE UNIQUE INDEX jobs_idempotency_key ON jobs (submitted_by, app, idempotency_key) WHERE idempotency_key IS NOT NULL;
