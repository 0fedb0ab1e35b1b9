-- The date the loan states are as of, kept beside them (issue 12). It was read from the newest
-- completed refresh_loans row of metric_calculation_log, but archive-old-data moves old log rows
-- away: a book last refreshed more than --keep-days ago would lose its states' date, its
-- drilldowns would show nothing and a backfill could overwrite the states again. One row, written
-- by every state write in its own transaction (LoanStateWriter); the date only moves forward.
CREATE TABLE loan_states_date (
    singleton   BOOLEAN PRIMARY KEY DEFAULT true CHECK (singleton),
    as_of       DATE NOT NULL,
    written_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

INSERT INTO loan_states_date (as_of, written_at)
SELECT calculation_date, COALESCE(end_time, now()) FROM metric_calculation_log
WHERE calculation_type = 'refresh_loans' AND status = 'Completed'
ORDER BY calculation_date DESC, end_time DESC NULLS LAST, log_id DESC
LIMIT 1;
