-- Schema version 5 (PostgreSQL): CDS Hooks feedback. Mirrors
-- migrations/sqlite/0005_cds_feedback.sql; only the types differ. (Versions
-- 3 and 4 are other features' migrations; the runner applies whatever is
-- newer than the database.)
--
-- One row per card and outcome, as the EHR reported it: the card's uuid maps
-- back to its recommendation and rule (core/cds_cards.h), and both are
-- stored here so that analytics counts by rule without reading the
-- recommendation. Idempotent on (clinic_id, card_uuid, outcome): a repeated
-- report stores nothing. The code never updates a row (no trigger forbids
-- it, so that a patient's data can still be erased on request).
CREATE TABLE cds_feedback (
  clinic_id           TEXT COLLATE "C" NOT NULL,
  card_uuid           TEXT COLLATE "C" NOT NULL,
  outcome             TEXT COLLATE "C" NOT NULL CHECK (outcome IN ('accepted', 'overridden')),
  service_id          TEXT COLLATE "C" NOT NULL,  -- the CDS service the feedback was sent to
  recommendation_id   TEXT COLLATE "C" NOT NULL,
  rule_id             TEXT COLLATE "C" NOT NULL,  -- 'protocol' for the protocol card
  patient_id          TEXT COLLATE "C" NOT NULL,
  protocol_id         TEXT COLLATE "C" NOT NULL,
  spine_region        INTEGER NOT NULL,  -- v1.SpineRegion number of the request
  reason_system       TEXT COLLATE "C" NOT NULL,  -- overrideReason.reason; '' when none
  reason_code         TEXT COLLATE "C" NOT NULL,
  user_comment        TEXT    NOT NULL,  -- free text: never read by analytics
  accepted_suggestions INTEGER NOT NULL,
  outcome_time_us     BIGINT  NOT NULL,  -- outcomeTimestamp
  create_time_us      BIGINT  NOT NULL,
  principal           TEXT COLLATE "C" NOT NULL,  -- who sent it (the EHR's principal)
  PRIMARY KEY (clinic_id, card_uuid, outcome)
);
CREATE INDEX cds_feedback_rule ON cds_feedback (clinic_id, rule_id, outcome_time_us);

