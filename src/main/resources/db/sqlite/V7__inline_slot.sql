-- a one-machine job's only slot, written with its end: no job_slots row for it
ALTER TABLE jobs ADD COLUMN slot TEXT;
