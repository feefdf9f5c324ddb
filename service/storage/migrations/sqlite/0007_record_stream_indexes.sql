-- Schema version 7 (SQLite): indexes for the history stream over films and
-- questionnaires (record_history.cc). Each page of QueryHistory with
-- include=[curve measurement | assessment] is a range in stream order, not a
-- sort of the clinic's films or assessments.
-- migrations/postgresql/0007_record_stream_indexes.sql mirrors it.
CREATE INDEX curve_revisions_stream
  ON curve_revisions (clinic_id, first_create_time_us, measurement_id, revision);
CREATE INDEX assessments_stream ON assessments (clinic_id, create_time_us, assessment_id);
