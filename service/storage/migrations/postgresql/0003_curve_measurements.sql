-- Schema version 3 (PostgreSQL). Mirrors migrations/sqlite/0003_curve_measurements.sql
-- (curve measurements, append-only revisions); only the types differ, as in
-- version 1.
CREATE TABLE curve_revisions (
  clinic_id            TEXT COLLATE "C" NOT NULL,
  measurement_id       TEXT COLLATE "C" NOT NULL,
  revision             INTEGER NOT NULL CHECK (revision >= 1),
  first_create_time_us BIGINT  NOT NULL,
  create_time_us       BIGINT  NOT NULL,
  request_id           TEXT COLLATE "C" NOT NULL,
  patient_id           TEXT COLLATE "C" NOT NULL,
  taken_at_us          BIGINT  NOT NULL,
  spine_region         INTEGER NOT NULL,
  amend_reason         TEXT    NOT NULL DEFAULT '',
  measurement_proto    BYTEA   NOT NULL,
  PRIMARY KEY (clinic_id, measurement_id, revision)
);
CREATE INDEX curve_revisions_patient
  ON curve_revisions (clinic_id, patient_id, taken_at_us, measurement_id);

CREATE TABLE curve_request_ids (
  clinic_id      TEXT COLLATE "C" NOT NULL,
  request_id     TEXT COLLATE "C" NOT NULL,
  operation      TEXT    NOT NULL,
  fingerprint    TEXT    NOT NULL,
  measurement_id TEXT COLLATE "C" NOT NULL,
  revision       INTEGER NOT NULL,
  create_time_us BIGINT  NOT NULL,
  PRIMARY KEY (clinic_id, request_id),
  FOREIGN KEY (clinic_id, measurement_id, revision)
    REFERENCES curve_revisions (clinic_id, measurement_id, revision)
);

CREATE TRIGGER curve_revisions_no_update BEFORE UPDATE ON curve_revisions
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER curve_revisions_no_delete BEFORE DELETE ON curve_revisions
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER curve_revisions_no_truncate BEFORE TRUNCATE ON curve_revisions
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
