-- Schema version 6 (PostgreSQL). Mirrors migrations/sqlite/0006_protocol_
-- evaluations.sql: the protocol evaluation variant an episode is on. Types
-- as in 0001 (BIGINT, TEXT COLLATE "C" ids); evaluation_overridden is 0/1
-- as on SQLite, so one query reads both.
ALTER TABLE episodes ADD COLUMN evaluation TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE episodes ADD COLUMN evaluation_protocol_id TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE episodes ADD COLUMN evaluation_variant TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE episodes ADD COLUMN evaluation_protocol_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE episodes ADD COLUMN evaluation_assigned_variant TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE episodes ADD COLUMN evaluation_overridden INTEGER NOT NULL DEFAULT 0;
ALTER TABLE episodes ADD COLUMN evaluation_override_by TEXT NOT NULL DEFAULT '';
ALTER TABLE episodes ADD COLUMN evaluation_override_reason TEXT NOT NULL DEFAULT '';
CREATE INDEX episodes_evaluation
  ON episodes (clinic_id, evaluation, evaluation_variant, opened_at_us);
