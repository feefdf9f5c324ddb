-- Schema version 2 (SQLite): the check-in's read model. migrations/postgresql/
-- 0002_patient_progress.sql mirrors it.
--
-- GetPatientProgress ran on every check-in and counted and sorted the
-- patient's whole history through latest_outcome_revisions, so it slowed as
-- the history grew. These two tables are derived from outcome_revisions and
-- kept in the transaction of every write (storage/outcome_rows.cc): the
-- revisions themselves stay append-only; these rows follow the latest one.

-- The latest revision of each outcome, with what the check-in orders and
-- filters on. An amendment rewrites its outcome's row (it may move the
-- session in time, change its pain or its patient).
CREATE TABLE outcome_latest (
  clinic_id            TEXT    NOT NULL,
  outcome_id           TEXT    NOT NULL,
  revision             INTEGER NOT NULL,
  first_create_time_us INTEGER NOT NULL,
  patient_id           TEXT    NOT NULL,
  performed_at_us      INTEGER NOT NULL,
  pain_before          INTEGER,  -- NULL when the latest revision recorded none
  PRIMARY KEY (clinic_id, outcome_id)
);
-- The last session and the first one with a pre-session pain are each one
-- step from an end of this index.
CREATE INDEX outcome_latest_patient
  ON outcome_latest (clinic_id, patient_id, performed_at_us, first_create_time_us, outcome_id);

-- Distinct outcomes per patient (amendments do not count).
CREATE TABLE patient_progress (
  clinic_id       TEXT    NOT NULL,
  patient_id      TEXT    NOT NULL,
  sessions_logged INTEGER NOT NULL,
  PRIMARY KEY (clinic_id, patient_id)
);

-- Backfill from the revisions already stored. Version 1 required
-- pain_before on every outcome, so the column is the recorded value.
INSERT INTO outcome_latest (clinic_id, outcome_id, revision, first_create_time_us, patient_id,
                            performed_at_us, pain_before)
  SELECT clinic_id, outcome_id, revision, first_create_time_us, patient_id, performed_at_us,
         pain_before
  FROM latest_outcome_revisions;
INSERT INTO patient_progress (clinic_id, patient_id, sessions_logged)
  SELECT clinic_id, patient_id, count(*) FROM outcome_latest GROUP BY clinic_id, patient_id;
