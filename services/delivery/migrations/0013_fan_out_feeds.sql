-- The journal wrote a batch's cohort rows six times (the table and its five feeds) and its latency samples
-- twice, and the engine parsed each copy: most of the store phase (bench/delivery.ts). Each of these
-- Null-engine tables takes ONE insert and its views copy every block into the table and into each of its
-- feeds (JournalFanOut). Their rows carry the fan-out insert's token in journal_batch, so recovery checks
-- each target as before and re-applies only those it does not find, through the table or the feed itself.
CREATE TABLE IF NOT EXISTS {db}.delivery_cohort_fan_out AS {db}.delivery_cohort_changes ENGINE = Null;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_cohort_fan_out_changes_mv TO {db}.delivery_cohort_changes AS
SELECT * FROM {db}.delivery_cohort_fan_out;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_cohort_fan_out_rollup_mv TO {db}.delivery_rollup_feed AS
SELECT * FROM {db}.delivery_cohort_fan_out;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_cohort_fan_out_cohort_minute_mv TO {db}.delivery_cohort_minute_feed AS
SELECT * FROM {db}.delivery_cohort_fan_out;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_cohort_fan_out_cohort_hour_mv TO {db}.delivery_cohort_hour_feed AS
SELECT * FROM {db}.delivery_cohort_fan_out;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_cohort_fan_out_latency_hist_minute_mv TO {db}.delivery_latency_hist_minute_feed AS
SELECT * FROM {db}.delivery_cohort_fan_out;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_cohort_fan_out_latency_hist_hour_mv TO {db}.delivery_latency_hist_hour_feed AS
SELECT * FROM {db}.delivery_cohort_fan_out;

CREATE TABLE IF NOT EXISTS {db}.delivery_latency_fan_out AS {db}.delivery_latency_samples ENGINE = Null;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_latency_fan_out_samples_mv TO {db}.delivery_latency_samples AS
SELECT * FROM {db}.delivery_latency_fan_out;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_latency_fan_out_feed_mv TO {db}.delivery_latency_feed AS
SELECT * FROM {db}.delivery_latency_fan_out;
