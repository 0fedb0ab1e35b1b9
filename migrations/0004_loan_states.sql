-- The loan engine's computed columns move out of the source table into a narrow table of their own,
-- and `loans` becomes a view over the two with the same columns as before (METRICS.md section 3
-- fields read as of the last refresh, through `loans`).
--
-- Why: a whole-book refresh rewrites the state of every loan (ageing alone changes the days past due
-- of a quarter of the book each day). Updating those columns in place in the wide, eleven-index
-- source table cost tens of seconds per million loans; writing a fresh narrow table with COPY and
-- swapping it in costs about one. Ingestion, in turn, no longer rewrites the computed columns'
-- indexes when it marks a loan changed.
--
--   loan_accounts  what the source system sends (the former `loans` table, renamed, so the foreign
--                  keys of repayments, loan_schedule and dpd_transitions follow it), plus
--                  source_changed_at and schedule_checksum;
--   loan_states    one row per loan refreshed at least once: the engine's columns as of
--                  computed_as_of (null when the loan did not exist at that date), and
--                  refreshed_source_at, the source_changed_at that refresh saw, and state_hash;
--   loans          the view: every loan account, with its state or the columns' defaults.

ALTER TABLE loans RENAME TO loan_accounts;
ALTER TRIGGER trg_loans_updated_at ON loan_accounts RENAME TO trg_loan_accounts_updated_at;

CREATE TABLE loan_states (
    loan_id                     VARCHAR(50) NOT NULL,
    current_dpd                 INTEGER,
    max_dpd_ever                INTEGER,
    dpd_bucket                  VARCHAR(10),
    first_payment_missed        BOOLEAN,
    first_payment_due_date      DATE,
    first_payment_received_date DATE,
    principal_outstanding       NUMERIC(15,2),
    interest_outstanding        NUMERIC(15,2),
    fees_outstanding            NUMERIC(15,2),
    total_outstanding           NUMERIC(15,2),
    total_principal_paid        NUMERIC(15,2),
    total_interest_paid         NUMERIC(15,2),
    total_fees_paid             NUMERIC(15,2),
    fimr_tagged                 BOOLEAN,
    early_indicator_tagged      BOOLEAN,
    status_as_of                VARCHAR(50),
    days_late                   INTEGER,
    last_payment_date           DATE,
    next_payment_due            DATE,
    loan_risk_score             INTEGER,
    computed_as_of              DATE,
    computed_at                 TIMESTAMPTZ DEFAULT now(),
    refreshed_source_at         TIMESTAMPTZ,
    -- FNV-1a of the row's values and refreshed_source_at (not the dates of the refresh), so a
    -- refresh writes only the rows whose values changed without reading them back.
    state_hash                  BIGINT,
    CONSTRAINT loan_states_pkey PRIMARY KEY (loan_id)
);

INSERT INTO loan_states
SELECT loan_id, current_dpd, max_dpd_ever, dpd_bucket, first_payment_missed, first_payment_due_date,
       first_payment_received_date, principal_outstanding, interest_outstanding, fees_outstanding, total_outstanding,
       total_principal_paid, total_interest_paid, total_fees_paid, fimr_tagged, early_indicator_tagged, status_as_of,
       days_late, last_payment_date, next_payment_due, loan_risk_score, computed_as_of, computed_at, refreshed_source_at
FROM loan_accounts
WHERE computed_as_of IS NOT NULL OR refreshed_source_at IS NOT NULL;

-- Dropping the columns drops the indexes on them (current_dpd, the tag and keyset indexes, the
-- officer risk index and the needs-refresh index).
ALTER TABLE loan_accounts
    DROP COLUMN current_dpd, DROP COLUMN max_dpd_ever, DROP COLUMN dpd_bucket, DROP COLUMN first_payment_missed,
    DROP COLUMN first_payment_due_date, DROP COLUMN first_payment_received_date, DROP COLUMN principal_outstanding,
    DROP COLUMN interest_outstanding, DROP COLUMN fees_outstanding, DROP COLUMN total_outstanding,
    DROP COLUMN total_principal_paid, DROP COLUMN total_interest_paid, DROP COLUMN total_fees_paid,
    DROP COLUMN fimr_tagged, DROP COLUMN early_indicator_tagged, DROP COLUMN status_as_of, DROP COLUMN days_late,
    DROP COLUMN last_payment_date, DROP COLUMN next_payment_due, DROP COLUMN loan_risk_score,
    DROP COLUMN computed_as_of, DROP COLUMN computed_at, DROP COLUMN refreshed_source_at;

-- Keyset pages of one officer's loans, and the officer's riskiest active loans.
CREATE INDEX idx_loans_officer_loan ON loan_accounts (officer_id, loan_id);

-- The columns of the former table, in its order; a loan never refreshed reads the former defaults.
-- (A whole-book refresh swaps loan_states for a freshly written table and re-points this view at
-- it with CREATE OR REPLACE VIEW, from pg_get_viewdef: keep it a plain view over the two tables.)
CREATE VIEW loans AS
SELECT a.loan_id, a.customer_id, a.customer_name, a.customer_phone, a.officer_id, a.officer_name, a.officer_phone,
       a.region, a.branch, a.state, a.loan_amount, a.disbursement_date, a.maturity_date, a.loan_term_days,
       a.interest_rate, a.fee_amount, a.repayment_every_days, a.channel, a.channel_partner, a.status, a.closed_date,
       COALESCE(s.current_dpd, 0) AS current_dpd,
       COALESCE(s.max_dpd_ever, 0) AS max_dpd_ever,
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
       COALESCE(s.days_late, 0) AS days_late,
       s.last_payment_date, s.next_payment_due,
       COALESCE(s.loan_risk_score, 100) AS loan_risk_score,
       s.computed_as_of, a.source_changed_at, s.computed_at, s.refreshed_source_at, a.schedule_checksum
FROM loan_accounts a
LEFT JOIN loan_states s ON s.loan_id = a.loan_id;

-- ---------------------------------------------------------------- ingestion cost (issue 4)
-- A loaded repayment or installment names a loan that the loader has already checked exists
-- (INGEST.md: in the database or earlier in the same input; rejected otherwise), with one
-- set-based lookup per chunk, and loans are never deleted. The per-row foreign-key triggers
-- repeated that check at about a third of each insert's cost, so they go.
ALTER TABLE repayments DROP CONSTRAINT repayments_loan_id_fkey;
ALTER TABLE loan_schedule DROP CONSTRAINT loan_schedule_loan_id_fkey;
-- Nothing reads repayments by date alone, nor installments by the engine columns of
-- loan_schedule (payment_status, amount_paid, payment_date), which the engine derives in memory
-- and never stores.
DROP INDEX idx_repayments_payment_date;
DROP INDEX idx_schedule_status;
DROP INDEX idx_schedule_loan_status;
-- idx_loans_officer_loan (officer_id, loan_id) serves every lookup the officer index did.
DROP INDEX idx_loans_officer;

-- A repayment re-sent under another loan changes the old loan too: mark it for the next refresh.
-- (Fires only on updates, so a first load pays nothing for it.)
CREATE FUNCTION mark_repayment_old_loan() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE loan_accounts SET source_changed_at = now() WHERE loan_id = OLD.loan_id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER trg_repayments_moved AFTER UPDATE OF loan_id ON repayments
    FOR EACH ROW WHEN (OLD.loan_id IS DISTINCT FROM NEW.loan_id) EXECUTE FUNCTION mark_repayment_old_loan();
