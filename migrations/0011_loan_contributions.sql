-- Each loan's contribution to its officer's row of D, kept beside its state (issue 14: the daemon).
--
-- An officer's row of D is built from sums over the officer's loans (METRICS 4: counts and money
-- totals, merged loan by loan; ratios and scores only at the end). Every refresh that writes a
-- loan's state at D now also writes that loan's terms of those sums, computed in the same
-- evaluation (MetricsWorker LoanContribution). When a change touches a few loans, the daemon
-- recomputes those loans only and re-sums each touched officer from the stored contributions
-- (one indexed read of the officer's loan states) instead of re-reading and re-evaluating the
-- officer's whole book with its repayments and schedules: at a million loans, about 500 loans per
-- officer.
--
-- Counts are integers, amounts bigint minor units (exact, and summed as integers). A loan that
-- does not exist at its state's date has NULL contributions, like its other state columns.
-- officer_id is the officer whose sums the contribution belongs to (the loan's officer when the
-- state was written; a loan moved to another officer is marked, and the daemon rewrites its state
-- before it sums). A whole-book refresh writes the table in officer order, so an officer's states
-- sit on a few neighbouring pages and the daemon's sum reads those pages only.
--
-- Rows written before this migration have no contributions and no officer_id; every later write
-- sets both (the hash covers them, so a refresh rewrites every old row). While any row without an
-- officer_id remains (found through the index below), the daemon covers changes with a full
-- refresh: the first batch after the upgrade runs one.

ALTER TABLE loan_states
    ADD COLUMN officer_id                      VARCHAR(50),
    ADD COLUMN contrib_existing_loans          INTEGER,
    ADD COLUMN contrib_active_loans            INTEGER,
    ADD COLUMN contrib_disbursed_mtd_count     INTEGER,
    ADD COLUMN contrib_overdue_15d_count       INTEGER,
    ADD COLUMN contrib_fimr_cohort             INTEGER,
    ADD COLUMN contrib_fimr_missed             INTEGER,
    ADD COLUMN contrib_all_time_fimr_loans     INTEGER,
    ADD COLUMN contrib_all_time_fimr_missed    INTEGER,
    ADD COLUMN contrib_roll_cohort_loans       INTEGER,
    ADD COLUMN contrib_installments_due_t30    INTEGER,
    ADD COLUMN contrib_installments_on_time_t30 INTEGER,
    ADD COLUMN contrib_channel_matching_active INTEGER,
    ADD COLUMN contrib_total_entries           INTEGER,
    ADD COLUMN contrib_backdated_count         INTEGER,
    ADD COLUMN contrib_reversals_count         INTEGER,
    ADD COLUMN contrib_total_portfolio         BIGINT,
    ADD COLUMN contrib_disbursed_mtd_amount    BIGINT,
    ADD COLUMN contrib_overdue_15d_amount      BIGINT,
    ADD COLUMN contrib_dpd_1to6_balance        BIGINT,
    ADD COLUMN contrib_amount_due_7d           BIGINT,
    ADD COLUMN contrib_prev_dpd_1to6_balance   BIGINT,
    ADD COLUMN contrib_moved_to_7to30          BIGINT,
    ADD COLUMN contrib_fees_collected          BIGINT,
    ADD COLUMN contrib_fees_due                BIGINT,
    ADD COLUMN contrib_interest_collected      BIGINT,
    ADD COLUMN contrib_par15_at_mid_month      BIGINT,
    ADD COLUMN contrib_waivers_amount          BIGINT;

CREATE INDEX idx_loan_states_officer ON loan_states (officer_id);
