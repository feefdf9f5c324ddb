-- Schema version 7 (PostgreSQL). Mirrors migrations/sqlite/0007_record_
-- stream_indexes.sql: the history stream over films and questionnaires reads
-- a range in stream order instead of sorting the clinic's rows.
CREATE INDEX curve_revisions_stream
  ON curve_revisions (clinic_id, first_create_time_us, measurement_id, revision);
CREATE INDEX assessments_stream ON assessments (clinic_id, create_time_us, assessment_id);
