-- The dates the API serves stay served while they are being recalculated.
--
-- officer_metrics_complete_dates (0002) takes the latest log row of each (date, partition), so a
-- re-run of a date (a Running row) made the date vanish from the API until it finished: the
-- default date fell back to an older one, or to none (404), although the rows of the last
-- completed run were still there (a run writes its rows and marks itself Completed in one
-- transaction; a Running or Failed run has changed nothing anyone can read).
--
-- officer_metrics_served_dates takes the latest *Completed* row of each (date, partition): a date
-- is served once every partition of some N has completed, and stays served through later runs,
-- successful or not. The worker keeps officer_metrics_complete_dates: its branch step waits until
-- the current run of every partition has completed.

CREATE VIEW officer_metrics_served_dates AS
WITH latest AS (
    SELECT DISTINCT ON (calculation_date, partition_key)
           calculation_date, partition_key, end_time
    FROM metric_calculation_log
    WHERE calculation_type = 'officer_metrics' AND status = 'Completed'
    ORDER BY calculation_date, partition_key, log_id DESC
), parts AS (
    SELECT calculation_date,
           split_part(partition_key, '/', 1)::int AS k,
           split_part(partition_key, '/', 2)::int AS n,
           end_time
    FROM latest
), complete AS (
    SELECT calculation_date, n, max(end_time) AS completed_at
    FROM parts
    WHERE k < n
    GROUP BY calculation_date, n
    HAVING count(DISTINCT k) = n
)
SELECT calculation_date, max(completed_at) AS completed_at
FROM complete
GROUP BY calculation_date;
