ALTER TABLE jobs ADD COLUMN schedule_id TEXT;
ALTER TABLE jobs ADD COLUMN scheduled_at BIGINT;
ALTER TABLE jobs ADD COLUMN fired_as TEXT;
CREATE UNIQUE INDEX jobs_schedule_tick ON jobs (schedule_id, scheduled_at);
CREATE INDEX jobs_schedule_state ON jobs (schedule_id, state);
CREATE TABLE schedules (
  id TEXT PRIMARY KEY,
  app TEXT NOT NULL,
  name TEXT NOT NULL,
  spec TEXT NOT NULL,
  paused INTEGER NOT NULL DEFAULT 0,
  next_fire_at BIGINT,
  next_due_at BIGINT,
  version INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  created_by TEXT
);
CREATE UNIQUE INDEX schedules_app_name ON schedules (app, name);
CREATE INDEX schedules_due ON schedules (paused, next_due_at);
CREATE TABLE schedule_skips (
  schedule_id TEXT NOT NULL,
  scheduled_at BIGINT NOT NULL,
  reason TEXT NOT NULL,
  recorded_at BIGINT NOT NULL,
  PRIMARY KEY (schedule_id, scheduled_at)
);
