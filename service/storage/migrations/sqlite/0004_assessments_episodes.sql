-- Schema version 4 (SQLite): questionnaires (assessments) and episodes of
-- care. migrations/postgresql/0004_assessments_episodes.sql mirrors it.
-- (Version 3 belongs to another feature; the runner applies whatever is
-- newer than the database, in order.)

-- An episode of care: opened by the patient's first session or assessment
-- (or explicitly), closed at discharge. At most one open episode per
-- patient, enforced by the partial unique index below.
CREATE TABLE episodes (
  clinic_id      TEXT    NOT NULL,
  episode_id     TEXT    NOT NULL,  -- 32 lowercase hex digits
  patient_id     TEXT    NOT NULL,
  opened_at_us   INTEGER NOT NULL,
  closed_at_us   INTEGER,           -- NULL while open
  create_time_us INTEGER NOT NULL,
  request_id     TEXT,              -- OpenEpisode's request_id; NULL when opened by a record
  PRIMARY KEY (clinic_id, episode_id)
);
CREATE UNIQUE INDEX episodes_one_open ON episodes (clinic_id, patient_id) WHERE closed_at_us IS NULL;
CREATE UNIQUE INDEX episodes_request ON episodes (clinic_id, request_id);
CREATE INDEX episodes_patient ON episodes (clinic_id, patient_id, opened_at_us, episode_id);

-- One row per recorded assessment; never updated. assessment_proto is the
-- v1.Assessment exactly as returned (answers, scores, name, episode).
CREATE TABLE assessments (
  clinic_id          TEXT    NOT NULL,
  assessment_id      TEXT    NOT NULL,
  request_id         TEXT    NOT NULL,
  fingerprint        TEXT    NOT NULL,  -- hex SHA-256 of the canonical request body
  patient_id         TEXT    NOT NULL,
  instrument_id      TEXT    NOT NULL,
  instrument_version TEXT    NOT NULL,
  episode_id         TEXT    NOT NULL,
  performed_at_us    INTEGER NOT NULL,
  create_time_us     INTEGER NOT NULL,
  assessment_proto   BLOB    NOT NULL,
  PRIMARY KEY (clinic_id, assessment_id),
  UNIQUE (clinic_id, request_id)
);
-- A patient's list (newest first) and the check-in's latest two of an
-- instrument are each one walk from an end of these indexes.
CREATE INDEX assessments_patient
  ON assessments (clinic_id, patient_id, performed_at_us, assessment_id);
CREATE INDEX assessments_patient_instrument
  ON assessments (clinic_id, patient_id, instrument_id, performed_at_us, assessment_id);
CREATE INDEX assessments_episode
  ON assessments (clinic_id, episode_id, performed_at_us, assessment_id);

-- The scores, one row per domain, for summaries computed in SQL. value is
-- NULL when the domain was not scoreable (never 0).
CREATE TABLE assessment_scores (
  clinic_id       TEXT    NOT NULL,
  assessment_id   TEXT    NOT NULL,
  domain          TEXT    NOT NULL,
  instrument_id   TEXT    NOT NULL,
  patient_id      TEXT    NOT NULL,
  episode_id      TEXT    NOT NULL,
  performed_at_us INTEGER NOT NULL,
  value           REAL,
  PRIMARY KEY (clinic_id, assessment_id, domain)
);
CREATE INDEX assessment_scores_instrument
  ON assessment_scores (clinic_id, instrument_id, domain, performed_at_us);

CREATE TRIGGER assessments_no_update BEFORE UPDATE ON assessments
  BEGIN SELECT RAISE(ABORT, 'assessments are append-only'); END;
CREATE TRIGGER assessments_no_delete BEFORE DELETE ON assessments
  BEGIN SELECT RAISE(ABORT, 'assessments are append-only'); END;

-- The episode each session belongs to. Sessions stored before version 4
-- belong to none ('') and are not in any episode result.
ALTER TABLE outcome_revisions ADD COLUMN episode_id TEXT NOT NULL DEFAULT '';
ALTER TABLE outcome_latest ADD COLUMN episode_id TEXT NOT NULL DEFAULT '';
CREATE INDEX outcome_latest_episode
  ON outcome_latest (clinic_id, episode_id, performed_at_us, first_create_time_us, outcome_id);
