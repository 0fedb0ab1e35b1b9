-- A next-day refresh reads only the loans whose stored state no longer holds (issue 17, goal 2).
--
-- From one day to the next most of the book changes only by ageing, and ageing moved four stored
-- columns every day for every loan in arrears (current_dpd, max_dpd_ever, days_late,
-- loan_risk_score): a third of a million-loan book was re-read and rewritten daily for that alone.
-- Those columns now keep what does not move with the date, and the `loans` view derives the
-- counts from the date the row holds for:
--
--   arrears_since   the due date current_dpd counts from (NULL when current_dpd is 0):
--                   current_dpd = date - arrears_since;
--   max_dpd_ever    the part of the maximum that no longer grows (the installments already Paid):
--                   max_dpd_ever = greatest(stored, current_dpd);
--   days_late       stored when fixed; when the first installment is missed and still unpaid it
--                   is date - first_payment_due_date;
--   loan_risk_score greatest(0, 100 - current_dpd - 20 when FIMR-tagged), as the engine's rule.
--
-- And each row says how long it holds: valid_through, the last date up to which the engine,
-- evaluated day after day with the same input, gives the same stored row (state and contribution
-- to the officer's sums; MetricsWorker BookConsumer computes it by evaluating the following days,
-- up to a horizon). A refresh of a later date D re-reads only the loans whose row holds no longer
-- (valid_through < D), whose input changed, or whose officer changed; every other row is D's
-- row already. The view's computed_as_of is the date a row holds for: loan_states_date's as_of
-- when the row is valid through it, else the date it was computed for.
--
-- A row also records the officer's primary channel its contribution was computed with
-- (officer_primary_channel, the officers column as it was): the channel is part of every one of the
-- officer's loans' contributions, so a row whose officer's channel changed since does not hold.
--
-- A next day updates a tenth of the rows in place: with room left on each page (fillfactor 85,
-- also given to the table a whole-book refresh swaps in) the new versions stay on their page and
-- no index entry is written.
--
-- Rows written before this migration keep their absolute values and have no valid_through: they
-- read as before at their own date, and the next refresh re-reads them all.

ALTER TABLE loan_states ADD COLUMN arrears_since DATE, ADD COLUMN valid_through DATE,
    ADD COLUMN officer_primary_channel VARCHAR(50);

UPDATE loan_states SET arrears_since = computed_as_of - current_dpd WHERE current_dpd > 0 AND computed_as_of IS NOT NULL;

DROP VIEW loans;
ALTER TABLE loan_states DROP COLUMN current_dpd, DROP COLUMN loan_risk_score;
ALTER TABLE loan_states SET (fillfactor = 85);

-- The columns of the view as before, in the same order (see 0004 and 0015). `e.held_as_of` is the
-- date the row holds for: loan_states_date's as_of (read once per statement, a scalar subquery,
-- NULL before the first refresh) when the row is valid through it, else the date it was computed
-- for. Written as computed_as_of plus a number of days so that it is NULL exactly when
-- computed_as_of is, visibly to the planner: a condition on it (the drilldowns') then turns the
-- outer join into an inner one and filters loan_states as it is scanned, as before.
CREATE VIEW loans AS
SELECT a.loan_id, a.customer_id, a.customer_name, a.customer_phone, a.officer_id, a.officer_name, a.officer_phone,
       a.region, a.branch, a.state, a.loan_amount, a.disbursement_date, a.maturity_date, a.loan_term_days,
       a.interest_rate, a.fee_amount, a.repayment_every_days, a.channel, a.channel_partner, a.status, a.closed_date,
       COALESCE(e.held_as_of - s.arrears_since, 0) AS current_dpd,
       GREATEST(COALESCE(s.max_dpd_ever, 0), COALESCE(e.held_as_of - s.arrears_since, 0)) AS max_dpd_ever,
       COALESCE(s.dpd_bucket, '0'::varchar(10)) AS dpd_bucket,
       COALESCE(s.first_payment_missed, false) AS first_payment_missed,
       s.first_payment_due_date, s.first_payment_received_date,
       COALESCE(s.principal_outstanding, 0::numeric(15,2)) AS principal_outstanding,
       COALESCE(s.interest_outstanding, 0::numeric(15,2)) AS interest_outstanding,
       COALESCE(s.fees_outstanding, 0::numeric(15,2)) AS fees_outstanding,
       COALESCE(s.total_outstanding, 0::numeric(15,2)) AS total_outstanding,
       COALESCE(s.total_principal_paid, 0::numeric(15,2)) AS total_principal_paid,
       COALESCE(s.total_interest_paid, 0::numeric(15,2)) AS total_interest_paid,
       COALESCE(s.total_fees_paid, 0::numeric(15,2)) AS total_fees_paid,
       COALESCE(s.fimr_tagged, false) AS fimr_tagged,
       COALESCE(s.early_indicator_tagged, false) AS early_indicator_tagged,
       a.created_at, a.updated_at,
       s.status_as_of,
       CASE WHEN s.first_payment_missed AND s.first_payment_received_date IS NULL
            THEN e.held_as_of - s.first_payment_due_date
            ELSE COALESCE(s.days_late, 0) END AS days_late,
       s.last_payment_date, s.next_payment_due,
       CASE WHEN s.computed_as_of IS NULL THEN 100
            ELSE GREATEST(0, 100 - COALESCE(e.held_as_of - s.arrears_since, 0)
                             - CASE WHEN s.fimr_tagged THEN 20 ELSE 0 END) END AS loan_risk_score,
       e.held_as_of AS computed_as_of, v.source_changed_at, s.computed_at, s.refreshed_source_at, a.schedule_checksum
FROM loan_accounts a
LEFT JOIN loan_states s ON s.loan_id = a.loan_id
LEFT JOIN loan_sources v ON v.loan_id = a.loan_id
CROSS JOIN LATERAL (
    SELECT s.computed_as_of + CASE WHEN s.valid_through >= d.as_of AND d.as_of > s.computed_as_of
                                   THEN d.as_of - s.computed_as_of ELSE 0 END AS held_as_of
    FROM (SELECT (SELECT as_of FROM loan_states_date) AS as_of) d
) e;
