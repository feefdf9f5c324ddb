-- Schema version 1 (SQLite). migrations/postgresql/0001_initial.sql mirrors it
-- with the same version number, tables, columns and indexes.
--
-- Rules:
--  * every table holding clinic data has clinic_id first in its primary key
--    and unique keys, so the schema can be sharded by clinic;
--  * outcome rows are never updated: a correction is a new revision row and
--    the latest revision is derived (see latest_outcome_revisions);
--  * times are UTC microseconds since the Unix epoch (*_us columns).

-- One row per stored revision of an outcome. The structured columns serve
-- filters and aggregates; outcome_proto is the serialized v1.Outcome exactly
-- as returned to the caller (name, revision, create_time set).
CREATE TABLE outcome_revisions (
  clinic_id            TEXT    NOT NULL,
  outcome_id           TEXT    NOT NULL,  -- 32 lowercase hex digits
  revision             INTEGER NOT NULL CHECK (revision >= 1),
  -- create time of revision 1, repeated on every revision: the stable
  -- history order is (first_create_time_us, outcome_id[, revision]).
  first_create_time_us INTEGER NOT NULL,
  create_time_us       INTEGER NOT NULL,
  request_id           TEXT    NOT NULL,
  patient_id           TEXT    NOT NULL,
  therapist_id         TEXT    NOT NULL,
  protocol_id          TEXT    NOT NULL,
  protocol_version     INTEGER NOT NULL,
  spine_region         INTEGER NOT NULL,  -- v1.SpineRegion number
  session_number       INTEGER NOT NULL,
  minutes              INTEGER NOT NULL,
  pain_before          INTEGER NOT NULL,
  pain_after           INTEGER NOT NULL,
  adverse_event_count  INTEGER NOT NULL,
  performed_at_us      INTEGER NOT NULL,
  performed_month      TEXT    NOT NULL,  -- 'YYYY-MM' of performed_at, UTC
  amend_reason         TEXT    NOT NULL DEFAULT '',
  outcome_proto        BLOB    NOT NULL,
  PRIMARY KEY (clinic_id, outcome_id, revision)
);

CREATE INDEX outcome_revisions_history
  ON outcome_revisions (clinic_id, first_create_time_us, outcome_id, revision);
CREATE INDEX outcome_revisions_patient
  ON outcome_revisions (clinic_id, patient_id, performed_at_us);
CREATE INDEX outcome_revisions_therapist
  ON outcome_revisions (clinic_id, therapist_id, performed_at_us);
CREATE INDEX outcome_revisions_protocol
  ON outcome_revisions (clinic_id, protocol_id, performed_at_us);
CREATE INDEX outcome_revisions_region
  ON outcome_revisions (clinic_id, spine_region, performed_at_us);
CREATE INDEX outcome_revisions_performed_at
  ON outcome_revisions (clinic_id, performed_at_us, outcome_id);

-- The latest revision of each outcome, derived rather than stored.
CREATE VIEW latest_outcome_revisions AS
  SELECT r.* FROM outcome_revisions r
  WHERE NOT EXISTS (
    SELECT 1 FROM outcome_revisions newer
    WHERE newer.clinic_id = r.clinic_id
      AND newer.outcome_id = r.outcome_id
      AND newer.revision > r.revision);

-- AIP-155 request ids. A retry with the same id and the same body fingerprint
-- gets the stored result back; another body is ALREADY_EXISTS.
CREATE TABLE idempotency_keys (
  clinic_id      TEXT    NOT NULL,
  request_id     TEXT    NOT NULL,
  operation      TEXT    NOT NULL,  -- 'LogOutcome' or 'AmendOutcome'
  fingerprint    TEXT    NOT NULL,  -- hex SHA-256 of the canonical request body
  outcome_id     TEXT    NOT NULL,
  revision       INTEGER NOT NULL,
  create_time_us INTEGER NOT NULL,
  PRIMARY KEY (clinic_id, request_id),
  FOREIGN KEY (clinic_id, outcome_id, revision)
    REFERENCES outcome_revisions (clinic_id, outcome_id, revision)
);

-- What was recommended, so outcomes can refer back to it.
CREATE TABLE recommendations (
  clinic_id         TEXT    NOT NULL,
  recommendation_id TEXT    NOT NULL,
  patient_id        TEXT    NOT NULL,
  create_time_us    INTEGER NOT NULL,
  decision          INTEGER NOT NULL,  -- v1.Decision number
  protocol_id       TEXT    NOT NULL DEFAULT '',
  request_proto     BLOB    NOT NULL,  -- v1.RecommendProtocolRequest
  response_proto    BLOB    NOT NULL,  -- v1.RecommendProtocolResponse
  PRIMARY KEY (clinic_id, recommendation_id)
);
CREATE INDEX recommendations_patient
  ON recommendations (clinic_id, patient_id, create_time_us);

-- Who read or wrote patient data. Append-only. id increases within a clinic.
CREATE TABLE audit_records (
  clinic_id   TEXT    NOT NULL,
  id          INTEGER NOT NULL,
  time_us     INTEGER NOT NULL,
  principal   TEXT    NOT NULL,
  role        TEXT    NOT NULL,
  method      TEXT    NOT NULL,
  subject     TEXT    NOT NULL,
  status_code INTEGER NOT NULL,
  PRIMARY KEY (clinic_id, id)
);
CREATE INDEX audit_records_time ON audit_records (clinic_id, time_us, id);

-- Append-only is enforced by the database too, not only by the code.
CREATE TRIGGER outcome_revisions_no_update BEFORE UPDATE ON outcome_revisions
  BEGIN SELECT RAISE(ABORT, 'outcome revisions are append-only'); END;
CREATE TRIGGER outcome_revisions_no_delete BEFORE DELETE ON outcome_revisions
  BEGIN SELECT RAISE(ABORT, 'outcome revisions are append-only'); END;
CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
  BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END;
