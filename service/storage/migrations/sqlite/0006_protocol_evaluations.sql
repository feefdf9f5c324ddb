-- Schema version 6 (SQLite): protocol evaluations (catalog/evaluations.h).
-- migrations/postgresql/0006_protocol_evaluations.sql mirrors it. (Other
-- versions belong to other features; the runner applies every version the
-- database lacks, in order.)
--
-- The variant an episode is on, written by the check-in that starts care
-- under an evaluation, and again by a therapist's override. '' / 0 for an
-- episode in no evaluation (every episode while evaluations are off). A
-- comparison reads these beside the episode's sessions: assigned counts by
-- evaluation_assigned_variant, received by evaluation_variant, overridden by
-- evaluation_overridden.
ALTER TABLE episodes ADD COLUMN evaluation TEXT NOT NULL DEFAULT '';  -- the evaluation's name
ALTER TABLE episodes ADD COLUMN evaluation_protocol_id TEXT NOT NULL DEFAULT '';
-- 'A' or 'B': the variant the episode is on, and its catalog version.
ALTER TABLE episodes ADD COLUMN evaluation_variant TEXT NOT NULL DEFAULT '';
ALTER TABLE episodes ADD COLUMN evaluation_protocol_version INTEGER NOT NULL DEFAULT 0;
-- 'A' or 'B': what the stable hash of the patient's pseudonym assigned.
ALTER TABLE episodes ADD COLUMN evaluation_assigned_variant TEXT NOT NULL DEFAULT '';
-- 1 after a therapist's override, with who (the caller's principal) and why.
ALTER TABLE episodes ADD COLUMN evaluation_overridden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE episodes ADD COLUMN evaluation_override_by TEXT NOT NULL DEFAULT '';
ALTER TABLE episodes ADD COLUMN evaluation_override_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX episodes_evaluation
  ON episodes (clinic_id, evaluation, evaluation_variant, opened_at_us);
