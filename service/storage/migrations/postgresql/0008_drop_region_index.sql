-- Schema version 8 (PostgreSQL): drop outcome_revisions_region. Every index on
-- outcome_revisions costs each LogOutcome one more B-tree insert and dirty
-- page; this one served only region-filtered summaries and lists, and a
-- spine region is a large share of a clinic's sessions, so the clinic's
-- range in outcome_revisions_performed_at (lists) or the table (summaries)
-- reads about as much. The indexes that stay, and the queries that need
-- them, are listed in tests/bench/RESULTS.md.
-- migrations/sqlite/0008_drop_region_index.sql mirrors it.
DROP INDEX IF EXISTS outcome_revisions_region;
