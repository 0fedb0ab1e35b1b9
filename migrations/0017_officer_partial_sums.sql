-- Partitions divide the reading, not only the computing (issue 17).
--
-- Until schema 16 `--partition K/N` took the officers whose FNV-1a hash mod N is K, and every
-- stream of the partition joined its rows to loan_accounts and the partition's officers: each of N
-- pods had PostgreSQL hash-join the whole repayments and loan_schedule tables to send 1/N of them.
-- Now partition K takes the loans whose hashtextextended(loan_id, 0), sign bit cleared, mod N is K:
-- a condition on each row's own loan_id, so no join, and the loans of an officer are spread over
-- the partitions. A partition therefore holds only a part of each officer's sums: it writes them
-- here (the 27 mergeable sums of OfficerAccumulator, under the names of the loan_states
-- contributions; bigint throughout, so no sum over a large officer's loans overflows), and the
-- partition that finds every K/N of the date completed adds them up (officer_id by officer_id,
-- exact integer sums; from the loan states' own contributions instead when they are the date's and
-- complete) into the date's officer rows, ranks, PAR15 snapshot and branch rows.
--
-- Derived data: rows older than archive-old-data's cutoff are deleted, not archived.
CREATE TABLE officer_partial_sums (
    calculation_date                  DATE        NOT NULL,
    partition_key                     VARCHAR(20) NOT NULL,
    officer_id                        VARCHAR(50) NOT NULL,
    contrib_existing_loans            BIGINT      NOT NULL,
    contrib_active_loans              BIGINT      NOT NULL,
    contrib_disbursed_mtd_count       BIGINT      NOT NULL,
    contrib_overdue_15d_count         BIGINT      NOT NULL,
    contrib_fimr_cohort               BIGINT      NOT NULL,
    contrib_fimr_missed               BIGINT      NOT NULL,
    contrib_all_time_fimr_loans       BIGINT      NOT NULL,
    contrib_all_time_fimr_missed      BIGINT      NOT NULL,
    contrib_roll_cohort_loans         BIGINT      NOT NULL,
    contrib_installments_due_t30      BIGINT      NOT NULL,
    contrib_installments_on_time_t30  BIGINT      NOT NULL,
    contrib_channel_matching_active   BIGINT      NOT NULL,
    contrib_total_entries             BIGINT      NOT NULL,
    contrib_backdated_count           BIGINT      NOT NULL,
    contrib_reversals_count           BIGINT      NOT NULL,
    contrib_total_portfolio           BIGINT      NOT NULL,
    contrib_disbursed_mtd_amount      BIGINT      NOT NULL,
    contrib_overdue_15d_amount        BIGINT      NOT NULL,
    contrib_dpd_1to6_balance          BIGINT      NOT NULL,
    contrib_amount_due_7d             BIGINT      NOT NULL,
    contrib_prev_dpd_1to6_balance     BIGINT      NOT NULL,
    contrib_moved_to_7to30            BIGINT      NOT NULL,
    contrib_fees_collected            BIGINT      NOT NULL,
    contrib_fees_due                  BIGINT      NOT NULL,
    contrib_interest_collected        BIGINT      NOT NULL,
    contrib_par15_at_mid_month        BIGINT      NOT NULL,
    contrib_waivers_amount            BIGINT      NOT NULL,
    PRIMARY KEY (calculation_date, partition_key, officer_id)
);
