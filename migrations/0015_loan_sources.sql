-- A loan's source version moves out of the wide loan_accounts row into a narrow table of its own
-- (issue 14: NDJSON over HTTP).
--
-- Every repayment written moves its loan's source_changed_at (the changed-only refresh compares it
-- with loan_states.refreshed_source_at, and the daemon follows the marks its change writes). On
-- loan_accounts that was an update of a whole loan row per repayment: a new ~300-byte row version,
-- the row-level updated_at trigger, and a marks trigger comparing fifteen columns of the old and
-- new rows, about 40% of the statement that writes a chunk of repayments of existing loans; and
-- each page a repayment touched after a checkpoint logged a full image of a wide page. Here a
-- repayment updates a 40-byte row: measured on a 1,240,000-loan book, 5,000 repayments of existing
-- loans per statement, the write and its commit took 2,912 ms over ten chunks against loan_accounts
-- and 2,148 ms against this table (alternating, same session).
--
--   loan_sources   one row per loan (made by the insert trigger of loan_accounts, so every writer
--                  makes it): source_changed_at moves with every change of the loan row (the
--                  update trigger of loan_accounts), its schedule (which changes the row's
--                  schedule_checksum), or its repayments (ingest, and trg_repayments_moved for the
--                  loan a repayment left). Its own update trigger writes the loan's live mark.
--   loans (view)   keeps its source_changed_at column, read from here.
--
-- Loans are never deleted; a row left by one deleted by hand is taken over when the loan is sent
-- again (its insert moves the version).
CREATE TABLE loan_sources (
    loan_id           VARCHAR(50) PRIMARY KEY,
    source_changed_at TIMESTAMPTZ NOT NULL DEFAULT now()
) WITH (fillfactor = 50);
-- Half of each page free: the update of a repayment's loan stays on its page (a heap-only update,
-- no index entry), as 0012 does for loan_accounts.

INSERT INTO loan_sources (loan_id, source_changed_at) SELECT loan_id, source_changed_at FROM loan_accounts;

-- The view reads the version from its new place (same columns, same order: see 0004).
CREATE OR REPLACE VIEW loans AS
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
       s.computed_as_of, v.source_changed_at, s.computed_at, s.refreshed_source_at, a.schedule_checksum
FROM loan_accounts a
LEFT JOIN loan_states s ON s.loan_id = a.loan_id
LEFT JOIN loan_sources v ON v.loan_id = a.loan_id;

ALTER TABLE loan_accounts DROP COLUMN source_changed_at;

-- A loan's version moved: its mark for the daemon (0009). Every update of this table is one.
CREATE FUNCTION mark_loan_sources_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO live_changes (loan_id) SELECT loan_id FROM new_rows;
    RETURN NULL;
END;
$$;
CREATE TRIGGER trg_loan_sources_marked_update AFTER UPDATE ON loan_sources
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mark_loan_sources_updated();

-- A new loan: its version row and its mark.
CREATE OR REPLACE FUNCTION mark_loans_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO loan_sources (loan_id) SELECT loan_id FROM new_rows
    ON CONFLICT (loan_id) DO UPDATE SET source_changed_at = now();
    INSERT INTO live_changes (loan_id) SELECT loan_id FROM new_rows;
    RETURN NULL;
END;
$$;

-- A changed loan row (ingest updates a row only when a column differs): its version moves, which
-- marks it; a loan moved to another officer or branch is marked once more with the one it left
-- (that officer's row and that branch's cached rows showed it). The version is found by key, one
-- index probe per row (an array, not a join: this function plans joins without nested loops, 0010).
CREATE OR REPLACE FUNCTION mark_loans_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE loan_sources SET source_changed_at = now()
    WHERE loan_id = ANY (ARRAY(SELECT loan_id FROM new_rows)) AND source_changed_at <> now();
    INSERT INTO live_changes (loan_id, officer_id, previous_branch)
    SELECT n.loan_id, CASE WHEN o.officer_id IS DISTINCT FROM n.officer_id THEN o.officer_id END,
           CASE WHEN o.branch IS DISTINCT FROM n.branch THEN o.branch END
    FROM new_rows n JOIN old_rows o ON o.loan_id = n.loan_id
    WHERE o.officer_id IS DISTINCT FROM n.officer_id OR o.branch IS DISTINCT FROM n.branch;
    RETURN NULL;
END;
$$;
-- (CREATE OR REPLACE drops the setting 0010 gave it; the officer-move join still needs it.)
ALTER FUNCTION mark_loans_updated() SET enable_nestloop = off;

-- A repayment re-sent under another loan changes the loan it left too.
CREATE OR REPLACE FUNCTION mark_repayment_old_loan() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE loan_sources SET source_changed_at = now() WHERE loan_id = OLD.loan_id;
    RETURN NULL;
END;
$$;
