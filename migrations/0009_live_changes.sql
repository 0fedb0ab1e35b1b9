-- The daemon follows changes (issue 14): every committed ingest records what it touched here, and
-- wakes the daemon with NOTIFY at its commit.
--
-- The marks are written by statement-level triggers on the source tables, so every path that
-- writes them (metrics-worker ingest, POST /api/v1/ingest, the Fineract connectors, a repayment
-- moved to another loan by trg_repayments_moved, even a hand-written UPDATE) marks what it
-- changed, in its own transaction: a mark exists exactly when its change has committed. One
-- INSERT ... SELECT per statement from the transition tables, so a bulk load pays one statement
-- per chunk, not one per row.
--
--   loan_id set:     a loan inserted or changed (its terms, schedule checksum, or source_changed_at,
--                    which a repayment's upsert moves); officer_id is its previous officer when
--                    the change moved it to another one (that officer's row changes too).
--   officer_id only: an officer inserted or changed in a column the metrics read.
--   previous_branch: the branch the loan or officer had before the change moved it to another
--                    one (cached rows filtered to that branch showed it).
--
-- The daemon reads marks in change_id order, applies them, and deletes exactly the ones it read in
-- the transaction that writes the results: a daemon killed before that commit leaves them all
-- here, and its successor applies them again (the work is idempotent).
CREATE TABLE live_changes (
    change_id    BIGSERIAL PRIMARY KEY,
    loan_id      VARCHAR(50),
    officer_id   VARCHAR(50),
    previous_branch VARCHAR(100),
    recorded_at  TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    CHECK (loan_id IS NOT NULL OR officer_id IS NOT NULL)
);

-- The channel the daemon LISTENs on; the payload is empty (the table is the message).
CREATE FUNCTION live_changes_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_rows) THEN
        PERFORM pg_notify('analytics_changes', '');
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER trg_live_changes_notify AFTER INSERT ON live_changes
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION live_changes_notify();

CREATE FUNCTION mark_loans_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO live_changes (loan_id) SELECT loan_id FROM new_rows;
    RETURN NULL;
END;
$$;
CREATE TRIGGER trg_loan_accounts_marked_insert AFTER INSERT ON loan_accounts
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mark_loans_inserted();

-- A loan update marks the loan when anything the engine or the officer rows read changed:
-- source_changed_at moves with every change of the loan record, its schedule or its repayments
-- (ingest sets it), and the officer, branch and region columns are compared as well so an update
-- written by hand is not missed.
CREATE FUNCTION mark_loans_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO live_changes (loan_id, officer_id, previous_branch)
    SELECT n.loan_id, CASE WHEN o.officer_id IS DISTINCT FROM n.officer_id THEN o.officer_id END,
           CASE WHEN o.branch IS DISTINCT FROM n.branch THEN o.branch END
    FROM new_rows n JOIN old_rows o ON o.loan_id = n.loan_id
    WHERE (n.source_changed_at, n.officer_id, n.branch, n.region, n.channel, n.status, n.closed_date,
           n.disbursement_date, n.maturity_date, n.loan_amount, n.loan_term_days, n.interest_rate, n.fee_amount,
           n.repayment_every_days, n.schedule_checksum)
          IS DISTINCT FROM
          (o.source_changed_at, o.officer_id, o.branch, o.region, o.channel, o.status, o.closed_date,
           o.disbursement_date, o.maturity_date, o.loan_amount, o.loan_term_days, o.interest_rate, o.fee_amount,
           o.repayment_every_days, o.schedule_checksum);
    RETURN NULL;
END;
$$;
CREATE TRIGGER trg_loan_accounts_marked_update AFTER UPDATE ON loan_accounts
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mark_loans_updated();

CREATE FUNCTION mark_officers_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO live_changes (officer_id) SELECT officer_id FROM new_rows;
    RETURN NULL;
END;
$$;
CREATE TRIGGER trg_officers_marked_insert AFTER INSERT ON officers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mark_officers_inserted();

CREATE FUNCTION mark_officers_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO live_changes (officer_id, previous_branch)
    SELECT n.officer_id, CASE WHEN o.branch IS DISTINCT FROM n.branch THEN o.branch END
    FROM new_rows n JOIN old_rows o ON o.officer_id = n.officer_id
    WHERE (n.officer_name, n.region, n.branch, n.employment_status, n.primary_channel, n.has_float_gap)
          IS DISTINCT FROM (o.officer_name, o.region, o.branch, o.employment_status, o.primary_channel, o.has_float_gap);
    RETURN NULL;
END;
$$;
CREATE TRIGGER trg_officers_marked_update AFTER UPDATE ON officers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mark_officers_updated();
