-- only scheduled jobs need this index: left out, a job submitted over the API has one index fewer to
-- write on every state change (insert, claim, end)
DROP INDEX jobs_schedule_state;
CREATE INDEX jobs_schedule_state ON jobs (schedule_id, state) WHERE schedule_id IS NOT NULL;
