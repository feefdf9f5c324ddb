-- Schema version 2 (PostgreSQL). Mirrors migrations/sqlite/0002_patient_progress.sql
-- (the check-in's read model, kept by storage/outcome_rows.cc in the
-- transaction of every write); only the types differ, as in version 1.

CREATE TABLE outcome_latest (
  clinic_id            TEXT COLLATE "C" NOT NULL,
  outcome_id           TEXT COLLATE "C" NOT NULL,
  revision             INTEGER NOT NULL,
  first_create_time_us BIGINT  NOT NULL,
  patient_id           TEXT COLLATE "C" NOT NULL,
  performed_at_us      BIGINT  NOT NULL,
  pain_before          INTEGER,
  PRIMARY KEY (clinic_id, outcome_id)
);
CREATE INDEX outcome_latest_patient
  ON outcome_latest (clinic_id, patient_id, performed_at_us, first_create_time_us, outcome_id);

CREATE TABLE patient_progress (
  clinic_id       TEXT COLLATE "C" NOT NULL,
  patient_id      TEXT COLLATE "C" NOT NULL,
  sessions_logged BIGINT NOT NULL,
  PRIMARY KEY (clinic_id, patient_id)
);

INSERT INTO outcome_latest (clinic_id, outcome_id, revision, first_create_time_us, patient_id,
                            performed_at_us, pain_before)
  SELECT clinic_id, outcome_id, revision, first_create_time_us, patient_id, performed_at_us,
         pain_before
  FROM latest_outcome_revisions;
INSERT INTO patient_progress (clinic_id, patient_id, sessions_logged)
  SELECT clinic_id, patient_id, count(*) FROM outcome_latest GROUP BY clinic_id, patient_id;
