-- Schema version 4 (PostgreSQL). Mirrors migrations/sqlite/0004_assessments_
-- episodes.sql: questionnaires (assessments) and episodes of care. Types as
-- in 0001 (BIGINT times, BYTEA protos, TEXT COLLATE "C" ids).

CREATE TABLE episodes (
  clinic_id      TEXT COLLATE "C" NOT NULL,
  episode_id     TEXT COLLATE "C" NOT NULL,
  patient_id     TEXT COLLATE "C" NOT NULL,
  opened_at_us   BIGINT NOT NULL,
  closed_at_us   BIGINT,
  create_time_us BIGINT NOT NULL,
  request_id     TEXT COLLATE "C",
  PRIMARY KEY (clinic_id, episode_id)
);
CREATE UNIQUE INDEX episodes_one_open ON episodes (clinic_id, patient_id) WHERE closed_at_us IS NULL;
CREATE UNIQUE INDEX episodes_request ON episodes (clinic_id, request_id);
CREATE INDEX episodes_patient ON episodes (clinic_id, patient_id, opened_at_us, episode_id);

CREATE TABLE assessments (
  clinic_id          TEXT COLLATE "C" NOT NULL,
  assessment_id      TEXT COLLATE "C" NOT NULL,
  request_id         TEXT COLLATE "C" NOT NULL,
  fingerprint        TEXT NOT NULL,
  patient_id         TEXT COLLATE "C" NOT NULL,
  instrument_id      TEXT COLLATE "C" NOT NULL,
  instrument_version TEXT NOT NULL,
  episode_id         TEXT COLLATE "C" NOT NULL,
  performed_at_us    BIGINT NOT NULL,
  create_time_us     BIGINT NOT NULL,
  assessment_proto   BYTEA  NOT NULL,
  PRIMARY KEY (clinic_id, assessment_id),
  UNIQUE (clinic_id, request_id)
);
CREATE INDEX assessments_patient
  ON assessments (clinic_id, patient_id, performed_at_us, assessment_id);
CREATE INDEX assessments_patient_instrument
  ON assessments (clinic_id, patient_id, instrument_id, performed_at_us, assessment_id);
CREATE INDEX assessments_episode
  ON assessments (clinic_id, episode_id, performed_at_us, assessment_id);

CREATE TABLE assessment_scores (
  clinic_id       TEXT COLLATE "C" NOT NULL,
  assessment_id   TEXT COLLATE "C" NOT NULL,
  domain          TEXT COLLATE "C" NOT NULL,
  instrument_id   TEXT COLLATE "C" NOT NULL,
  patient_id      TEXT COLLATE "C" NOT NULL,
  episode_id      TEXT COLLATE "C" NOT NULL,
  performed_at_us BIGINT NOT NULL,
  value           DOUBLE PRECISION,
  PRIMARY KEY (clinic_id, assessment_id, domain)
);
CREATE INDEX assessment_scores_instrument
  ON assessment_scores (clinic_id, instrument_id, domain, performed_at_us);

CREATE TRIGGER assessments_no_update BEFORE UPDATE ON assessments
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER assessments_no_delete BEFORE DELETE ON assessments
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER assessments_no_truncate BEFORE TRUNCATE ON assessments
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();

ALTER TABLE outcome_revisions ADD COLUMN episode_id TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE outcome_latest ADD COLUMN episode_id TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX outcome_latest_episode
  ON outcome_latest (clinic_id, episode_id, performed_at_us, first_create_time_us, outcome_id);
-- PostgreSQL expands r.* when a view is created: recreate it so the view
-- carries the new column (appended at the end, which OR REPLACE allows).
CREATE OR REPLACE VIEW latest_outcome_revisions AS
  SELECT r.* FROM outcome_revisions r
  WHERE NOT EXISTS (
    SELECT 1 FROM outcome_revisions newer
    WHERE newer.clinic_id = r.clinic_id
      AND newer.outcome_id = r.outcome_id
      AND newer.revision > r.revision);
