-- The by-day rollup (0014) and the cohort fan-out (0013) were built side by side: the fan-out copies the
-- cohort rows into every feed of delivery_cohort_changes, and this is the view into the by-day feed.
-- Without it the journal's one fan-out insert would leave that rollup empty (the journal now refuses to
-- start when a feed has no view from its fan-out).
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_cohort_fan_out_cohort_by_day_mv TO {db}.delivery_cohort_by_day_feed AS
SELECT * FROM {db}.delivery_cohort_fan_out;
