-- What the metric jobs need beyond the design's tables.

-- Drilldown fields of METRICS.md section 3, computed by the loan engine with the other loan columns,
-- and the date they were computed as of. Ingestion sets source_changed_at whenever the loan, its
-- schedule or its repayments change; a refresh records in refreshed_source_at the value it saw, so
-- `refresh-loans --changed-only` picks exactly the loans where the two differ (no timing window).
ALTER TABLE loans
    ADD COLUMN status_as_of         VARCHAR(50),
    ADD COLUMN days_late            INTEGER NOT NULL DEFAULT 0,
    ADD COLUMN last_payment_date    DATE,
    ADD COLUMN next_payment_due     DATE,
    ADD COLUMN loan_risk_score      INTEGER NOT NULL DEFAULT 100,
    ADD COLUMN computed_as_of       DATE,
    ADD COLUMN source_changed_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    ADD COLUMN computed_at          TIMESTAMPTZ,
    ADD COLUMN refreshed_source_at  TIMESTAMPTZ,
    -- FNV-1a of the given schedule's rows (null when the schedule is generated), so an update that
    -- changes only the schedule is seen as a change of the loan record.
    ADD COLUMN schedule_checksum    VARCHAR(20);
CREATE INDEX idx_loans_needs_refresh ON loans (loan_id) WHERE refreshed_source_at IS DISTINCT FROM source_changed_at;
CREATE INDEX idx_loans_officer_risk ON loans (officer_id, current_dpd DESC, total_outstanding DESC) WHERE status = 'Active';

-- Keyset pagination of the drilldowns walks loans in loan_id order within a filter.
CREATE INDEX idx_loans_fimr_keyset ON loans (fimr_tagged, loan_id);
CREATE INDEX idx_loans_early_keyset ON loans (early_indicator_tagged, loan_id);

-- A job's partition is recorded as 'K/N'; one row per run.
CREATE INDEX idx_calc_log_lookup ON metric_calculation_log (calculation_type, calculation_date, partition_key, log_id DESC);

-- The dates whose officer metrics are complete: for some N, every partition 0..N-1 has its latest
-- run Completed. The API serves only these dates (API.md "Reading metrics").
CREATE VIEW officer_metrics_complete_dates AS
WITH latest AS (
    SELECT DISTINCT ON (calculation_date, partition_key)
           calculation_date, partition_key, status, end_time
    FROM metric_calculation_log
    WHERE calculation_type = 'officer_metrics'
    ORDER BY calculation_date, partition_key, log_id DESC
), parts AS (
    SELECT calculation_date,
           split_part(partition_key, '/', 1)::int AS k,
           split_part(partition_key, '/', 2)::int AS n,
           status, end_time
    FROM latest
), complete AS (
    SELECT calculation_date, n, max(end_time) AS completed_at
    FROM parts
    WHERE status = 'Completed' AND k < n
    GROUP BY calculation_date, n
    HAVING count(DISTINCT k) = n
)
SELECT calculation_date, max(completed_at) AS completed_at
FROM complete
GROUP BY calculation_date;

-- archive-old-data moves old rows here: same columns, nothing deleted without being copied.
CREATE TABLE officer_metrics_daily_archive (LIKE officer_metrics_daily INCLUDING DEFAULTS);
ALTER TABLE officer_metrics_daily_archive ADD PRIMARY KEY (metric_id);
CREATE TABLE branch_metrics_daily_archive (LIKE branch_metrics_daily INCLUDING DEFAULTS);
ALTER TABLE branch_metrics_daily_archive ADD PRIMARY KEY (metric_id);
CREATE TABLE dpd_transitions_archive (LIKE dpd_transitions INCLUDING DEFAULTS);
ALTER TABLE dpd_transitions_archive ADD PRIMARY KEY (transition_id);
CREATE TABLE metric_calculation_log_archive (LIKE metric_calculation_log INCLUDING DEFAULTS);
ALTER TABLE metric_calculation_log_archive ADD PRIMARY KEY (log_id);
