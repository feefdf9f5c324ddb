-- Schema version 3 (SQLite): curve measurements, film by film.
-- migrations/postgresql/0003_curve_measurements.sql mirrors it.
--
-- As outcomes: one row per stored revision, never updated (a correction is
-- a new revision row with its reason); the latest revision is derived.
-- measurement_proto is the serialized v1.CurveMeasurement exactly as
-- returned to the caller; the columns serve the patient's list and the
-- check-in's read, which is one range of curve_revisions_patient.
CREATE TABLE curve_revisions (
  clinic_id            TEXT    NOT NULL,
  measurement_id       TEXT    NOT NULL,  -- 32 lowercase hex digits
  revision             INTEGER NOT NULL CHECK (revision >= 1),
  first_create_time_us INTEGER NOT NULL,
  create_time_us       INTEGER NOT NULL,
  request_id           TEXT    NOT NULL,
  patient_id           TEXT    NOT NULL,
  taken_at_us          INTEGER NOT NULL,
  spine_region         INTEGER NOT NULL,  -- v1.SpineRegion number
  amend_reason         TEXT    NOT NULL DEFAULT '',
  measurement_proto    BLOB    NOT NULL,
  PRIMARY KEY (clinic_id, measurement_id, revision)
);
CREATE INDEX curve_revisions_patient
  ON curve_revisions (clinic_id, patient_id, taken_at_us, measurement_id);

-- AIP-155 request ids of RecordCurveMeasurement and AmendCurveMeasurement,
-- as idempotency_keys is for outcomes.
CREATE TABLE curve_request_ids (
  clinic_id      TEXT    NOT NULL,
  request_id     TEXT    NOT NULL,
  operation      TEXT    NOT NULL,  -- 'RecordCurveMeasurement' or 'AmendCurveMeasurement'
  fingerprint    TEXT    NOT NULL,  -- hex SHA-256 of the canonical request body
  measurement_id TEXT    NOT NULL,
  revision       INTEGER NOT NULL,
  create_time_us INTEGER NOT NULL,
  PRIMARY KEY (clinic_id, request_id),
  FOREIGN KEY (clinic_id, measurement_id, revision)
    REFERENCES curve_revisions (clinic_id, measurement_id, revision)
);

CREATE TRIGGER curve_revisions_no_update BEFORE UPDATE ON curve_revisions
  BEGIN SELECT RAISE(ABORT, 'curve revisions are append-only'); END;
CREATE TRIGGER curve_revisions_no_delete BEFORE DELETE ON curve_revisions
  BEGIN SELECT RAISE(ABORT, 'curve revisions are append-only'); END;
