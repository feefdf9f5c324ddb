-- Schema version 1 (PostgreSQL). Mirrors migrations/sqlite/0001_initial.sql:
-- same version number, tables, columns, keys and indexes. Differences are
-- only in types:
--  * BIGINT for every *_us time and INTEGER for small numbers;
--  * BYTEA for serialized protos;
--  * TEXT COLLATE "C" for ids and group keys, so comparisons and ORDER BY
--    follow byte order exactly as SQLite does: history resume tokens and
--    summary group order are the same on both backends;
--  * append-only is enforced by plpgsql triggers.
-- Every primary and unique key starts with clinic_id (Citus-ready).

CREATE TABLE outcome_revisions (
  clinic_id            TEXT COLLATE "C" NOT NULL,
  outcome_id           TEXT COLLATE "C" NOT NULL,
  revision             INTEGER NOT NULL CHECK (revision >= 1),
  first_create_time_us BIGINT  NOT NULL,
  create_time_us       BIGINT  NOT NULL,
  request_id           TEXT COLLATE "C" NOT NULL,
  patient_id           TEXT COLLATE "C" NOT NULL,
  therapist_id         TEXT COLLATE "C" NOT NULL,
  protocol_id          TEXT COLLATE "C" NOT NULL,
  protocol_version     INTEGER NOT NULL,
  spine_region         INTEGER NOT NULL,
  session_number       INTEGER NOT NULL,
  minutes              INTEGER NOT NULL,
  pain_before          INTEGER NOT NULL,
  pain_after           INTEGER NOT NULL,
  adverse_event_count  INTEGER NOT NULL,
  performed_at_us      BIGINT  NOT NULL,
  performed_month      TEXT COLLATE "C" NOT NULL,
  amend_reason         TEXT    NOT NULL DEFAULT '',
  outcome_proto        BYTEA   NOT NULL,
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

CREATE VIEW latest_outcome_revisions AS
  SELECT r.* FROM outcome_revisions r
  WHERE NOT EXISTS (
    SELECT 1 FROM outcome_revisions newer
    WHERE newer.clinic_id = r.clinic_id
      AND newer.outcome_id = r.outcome_id
      AND newer.revision > r.revision);

CREATE TABLE idempotency_keys (
  clinic_id      TEXT COLLATE "C" NOT NULL,
  request_id     TEXT COLLATE "C" NOT NULL,
  operation      TEXT    NOT NULL,
  fingerprint    TEXT    NOT NULL,
  outcome_id     TEXT COLLATE "C" NOT NULL,
  revision       INTEGER NOT NULL,
  create_time_us BIGINT  NOT NULL,
  PRIMARY KEY (clinic_id, request_id),
  FOREIGN KEY (clinic_id, outcome_id, revision)
    REFERENCES outcome_revisions (clinic_id, outcome_id, revision)
);

CREATE TABLE recommendations (
  clinic_id         TEXT COLLATE "C" NOT NULL,
  recommendation_id TEXT COLLATE "C" NOT NULL,
  patient_id        TEXT COLLATE "C" NOT NULL,
  create_time_us    BIGINT  NOT NULL,
  decision          INTEGER NOT NULL,
  protocol_id       TEXT COLLATE "C" NOT NULL DEFAULT '',
  request_proto     BYTEA   NOT NULL,
  response_proto    BYTEA   NOT NULL,
  PRIMARY KEY (clinic_id, recommendation_id)
);
CREATE INDEX recommendations_patient
  ON recommendations (clinic_id, patient_id, create_time_us);

-- id is max + 1 within a clinic, as in SQLite; concurrent appenders from
-- several instances retry on the primary key (sql_store.cc).
CREATE TABLE audit_records (
  clinic_id   TEXT COLLATE "C" NOT NULL,
  id          BIGINT  NOT NULL,
  time_us     BIGINT  NOT NULL,
  principal   TEXT    NOT NULL,
  role        TEXT    NOT NULL,
  method      TEXT    NOT NULL,
  subject     TEXT    NOT NULL,
  status_code INTEGER NOT NULL,
  PRIMARY KEY (clinic_id, id)
);
CREATE INDEX audit_records_time ON audit_records (clinic_id, time_us, id);

CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation';
END;
$$;
CREATE TRIGGER outcome_revisions_no_update BEFORE UPDATE ON outcome_revisions
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER outcome_revisions_no_delete BEFORE DELETE ON outcome_revisions
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER outcome_revisions_no_truncate BEFORE TRUNCATE ON outcome_revisions
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_records_no_update BEFORE UPDATE ON audit_records
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_records_no_delete BEFORE DELETE ON audit_records
  FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER audit_records_no_truncate BEFORE TRUNCATE ON audit_records
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
