-- Schema version 5 (SQLite): CDS Hooks feedback. migrations/postgresql/
-- 0005_cds_feedback.sql mirrors it. (Versions 3 and 4 are other features'
-- migrations; the runner applies whatever is newer than the database.)
--
-- One row per card and outcome, as the EHR reported it: the card's uuid maps
-- back to its recommendation and rule (core/cds_cards.h), and both are
-- stored here so that analytics counts by rule without reading the
-- recommendation. Idempotent on (clinic_id, card_uuid, outcome): a repeated
-- report stores nothing. The code never updates a row (no trigger forbids
-- it, so that a patient's data can still be erased on request).
CREATE TABLE cds_feedback (
  clinic_id           TEXT    NOT NULL,
  card_uuid           TEXT    NOT NULL,
  outcome             TEXT    NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
  service_id          TEXT    NOT NULL,  -- the CDS service the feedback was sent to
  recommendation_id   TEXT    NOT NULL,
  rule_id             TEXT    NOT NULL,  -- 'protocol' for the protocol card
  patient_id          TEXT    NOT NULL,
  protocol_id         TEXT    NOT NULL,
  spine_region        INTEGER NOT NULL,  -- v1.SpineRegion number of the request
  reason_system       TEXT    NOT NULL,  -- overrideReason.reason; '' when none
  reason_code         TEXT    NOT NULL,
  user_comment        TEXT    NOT NULL,  -- free text: never read by analytics
  accepted_suggestions INTEGER NOT NULL,
  outcome_time_us     INTEGER NOT NULL,  -- outcomeTimestamp
  create_time_us      INTEGER NOT NULL,
  principal           TEXT    NOT NULL,  -- who sent it (the EHR's principal)
  PRIMARY KEY (clinic_id, card_uuid, outcome)
);
CREATE INDEX cds_feedback_rule ON cds_feedback (clinic_id, rule_id, outcome_time_us);

