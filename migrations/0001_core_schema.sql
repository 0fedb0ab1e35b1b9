-- The twelve tables of the design document (sections 2 and 4), amended by spec/METRICS.md,
-- spec/INGEST.md and spec/API.md:
--   * ratio columns are NUMERIC(24,4), nullable, with no default (null = undefined, zero denominator);
--   * officers.has_float_gap, loans.repayment_every_days, loans.dpd_bucket;
--   * the extra officer-metric columns of METRICS.md section 4 (all_time_fimr, rank, ...);
--   * audit_tracking is one row per officer with a version; audit_log is append-only;
--   * etl_rejects keeps every rejected input record whole.
-- Our own timestamps are TIMESTAMPTZ. Every table with updated_at has a trigger maintaining it.

CREATE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

-- ---------------------------------------------------------------- master data

CREATE TABLE officers (
    officer_id          VARCHAR(50) PRIMARY KEY,
    officer_name        VARCHAR(255) NOT NULL,
    officer_phone       VARCHAR(20),
    officer_email       VARCHAR(255),
    region              VARCHAR(100) NOT NULL,
    branch              VARCHAR(100) NOT NULL,
    employment_status   VARCHAR(50) NOT NULL DEFAULT 'Active',
    hire_date           DATE,
    termination_date    DATE,
    primary_channel     VARCHAR(50),
    has_float_gap       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_officers_branch ON officers (branch);
CREATE INDEX idx_officers_region ON officers (region);
CREATE INDEX idx_officers_status ON officers (employment_status);
CREATE TRIGGER trg_officers_updated_at BEFORE UPDATE ON officers
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE customers (
    customer_id         VARCHAR(50) PRIMARY KEY,
    customer_name       VARCHAR(255) NOT NULL,
    customer_phone      VARCHAR(20),
    customer_email      VARCHAR(255),
    date_of_birth       DATE,
    gender              VARCHAR(10),
    state               VARCHAR(100),
    lga                 VARCHAR(100),
    address             TEXT,
    kyc_status          VARCHAR(50),
    kyc_verified_date   DATE,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_customers_phone ON customers (customer_phone);
CREATE INDEX idx_customers_state ON customers (state);
CREATE TRIGGER trg_customers_updated_at BEFORE UPDATE ON customers
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE team_members (
    member_id           VARCHAR(50) PRIMARY KEY,
    member_name         VARCHAR(255) NOT NULL,
    member_email        VARCHAR(255),
    member_phone        VARCHAR(20),
    role                VARCHAR(100),
    department          VARCHAR(100),
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_team_members_active ON team_members (is_active) WHERE is_active = TRUE;
CREATE INDEX idx_team_members_role ON team_members (role);
CREATE TRIGGER trg_team_members_updated_at BEFORE UPDATE ON team_members
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------- loans and repayments

CREATE TABLE loans (
    loan_id                     VARCHAR(50) PRIMARY KEY,
    -- from the source system
    customer_id                 VARCHAR(50) NOT NULL REFERENCES customers (customer_id),
    customer_name               VARCHAR(255) NOT NULL,
    customer_phone              VARCHAR(20),
    officer_id                  VARCHAR(50) NOT NULL REFERENCES officers (officer_id),
    officer_name                VARCHAR(255) NOT NULL,
    officer_phone               VARCHAR(20),
    region                      VARCHAR(100) NOT NULL,
    branch                      VARCHAR(100) NOT NULL,
    state                       VARCHAR(100),
    loan_amount                 NUMERIC(15,2) NOT NULL CHECK (loan_amount >= 0),
    disbursement_date           DATE NOT NULL,
    maturity_date               DATE NOT NULL,
    loan_term_days              INTEGER NOT NULL CHECK (loan_term_days > 0),
    interest_rate               NUMERIC(5,4),
    fee_amount                  NUMERIC(15,2),
    repayment_every_days        INTEGER CHECK (repayment_every_days > 0),
    channel                     VARCHAR(50) NOT NULL,
    channel_partner             VARCHAR(100),
    status                      VARCHAR(50) NOT NULL
                                CHECK (status IN ('Active', 'Closed', 'Written Off', 'Cancelled')),
    closed_date                 DATE,
    -- computed by the loan engine (METRICS.md section 3) as of the last refresh
    current_dpd                 INTEGER NOT NULL DEFAULT 0,
    max_dpd_ever                INTEGER NOT NULL DEFAULT 0,
    dpd_bucket                  VARCHAR(10) NOT NULL DEFAULT '0',
    first_payment_missed        BOOLEAN NOT NULL DEFAULT FALSE,
    first_payment_due_date      DATE,
    first_payment_received_date DATE,
    principal_outstanding       NUMERIC(15,2) NOT NULL DEFAULT 0,
    interest_outstanding        NUMERIC(15,2) NOT NULL DEFAULT 0,
    fees_outstanding            NUMERIC(15,2) NOT NULL DEFAULT 0,
    total_outstanding           NUMERIC(15,2) NOT NULL DEFAULT 0,
    total_principal_paid        NUMERIC(15,2) NOT NULL DEFAULT 0,
    total_interest_paid         NUMERIC(15,2) NOT NULL DEFAULT 0,
    total_fees_paid             NUMERIC(15,2) NOT NULL DEFAULT 0,
    fimr_tagged                 BOOLEAN NOT NULL DEFAULT FALSE,
    early_indicator_tagged      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at                  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at                  TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (maturity_date >= disbursement_date)
);
CREATE INDEX idx_loans_officer ON loans (officer_id);
CREATE INDEX idx_loans_customer ON loans (customer_id);
CREATE INDEX idx_loans_branch ON loans (branch);
CREATE INDEX idx_loans_region ON loans (region);
CREATE INDEX idx_loans_disbursement_date ON loans (disbursement_date);
CREATE INDEX idx_loans_status ON loans (status);
CREATE INDEX idx_loans_current_dpd ON loans (current_dpd);
CREATE INDEX idx_loans_fimr_tagged ON loans (fimr_tagged) WHERE fimr_tagged = TRUE;
CREATE INDEX idx_loans_early_indicator ON loans (early_indicator_tagged) WHERE early_indicator_tagged = TRUE;
CREATE INDEX idx_loans_officer_status ON loans (officer_id, status);
CREATE INDEX idx_loans_disbursement_officer ON loans (disbursement_date, officer_id);
CREATE TRIGGER trg_loans_updated_at BEFORE UPDATE ON loans
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE repayments (
    repayment_id        VARCHAR(50) PRIMARY KEY,
    loan_id             VARCHAR(50) NOT NULL REFERENCES loans (loan_id),
    payment_date        DATE NOT NULL,
    payment_amount      NUMERIC(15,2) NOT NULL CHECK (payment_amount >= 0),
    principal_paid      NUMERIC(15,2) NOT NULL DEFAULT 0,
    interest_paid       NUMERIC(15,2) NOT NULL DEFAULT 0,
    fees_paid           NUMERIC(15,2) NOT NULL DEFAULT 0,
    penalty_paid        NUMERIC(15,2) NOT NULL DEFAULT 0,
    payment_method      VARCHAR(50),
    payment_reference   VARCHAR(100),
    payment_channel     VARCHAR(50),
    is_backdated        BOOLEAN NOT NULL DEFAULT FALSE,
    is_reversed         BOOLEAN NOT NULL DEFAULT FALSE,
    reversal_date       DATE,
    reversal_reason     TEXT,
    waiver_amount       NUMERIC(15,2) NOT NULL DEFAULT 0,
    waiver_type         VARCHAR(50),
    waiver_approved_by  VARCHAR(100),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CHECK (payment_amount = principal_paid + interest_paid + fees_paid + penalty_paid),
    CHECK (reversal_date IS NULL OR is_reversed)
);
-- (The design's idx_repayments_loan on loan_id alone is left out: idx_repayments_loan_date serves
-- every lookup by loan_id, and one index less makes each ingested repayment cheaper.)
CREATE INDEX idx_repayments_payment_date ON repayments (payment_date);
CREATE INDEX idx_repayments_loan_date ON repayments (loan_id, payment_date);
CREATE INDEX idx_repayments_backdated ON repayments (is_backdated) WHERE is_backdated = TRUE;
CREATE INDEX idx_repayments_reversed ON repayments (is_reversed) WHERE is_reversed = TRUE;
CREATE TRIGGER trg_repayments_updated_at BEFORE UPDATE ON repayments
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE loan_schedule (
    schedule_id         BIGSERIAL PRIMARY KEY,
    loan_id             VARCHAR(50) NOT NULL REFERENCES loans (loan_id),
    installment_number  INTEGER NOT NULL CHECK (installment_number >= 1),
    due_date            DATE NOT NULL,
    principal_due       NUMERIC(15,2) NOT NULL,
    interest_due        NUMERIC(15,2) NOT NULL,
    fee_due             NUMERIC(15,2) NOT NULL DEFAULT 0,
    total_due           NUMERIC(15,2) NOT NULL,
    -- 'given' by the source system or 'generated' by METRICS.md section 2
    schedule_source     VARCHAR(10) NOT NULL DEFAULT 'given' CHECK (schedule_source IN ('given', 'generated')),
    -- computed by the loan engine as of the last refresh
    payment_status      VARCHAR(20) NOT NULL DEFAULT 'Pending' CHECK (payment_status IN ('Pending', 'Partial', 'Paid')),
    amount_paid         NUMERIC(15,2) NOT NULL DEFAULT 0,
    payment_date        DATE,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT unique_loan_installment UNIQUE (loan_id, installment_number)
);
CREATE INDEX idx_schedule_due_date ON loan_schedule (due_date);
CREATE INDEX idx_schedule_status ON loan_schedule (payment_status);
CREATE INDEX idx_schedule_loan_status ON loan_schedule (loan_id, payment_status);
CREATE TRIGGER trg_loan_schedule_updated_at BEFORE UPDATE ON loan_schedule
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- ---------------------------------------------------------------- derived tables

CREATE TABLE officer_metrics_daily (
    metric_id               BIGSERIAL PRIMARY KEY,
    officer_id              VARCHAR(50) NOT NULL REFERENCES officers (officer_id),
    calculation_date        DATE NOT NULL,
    -- portfolio
    total_portfolio         NUMERIC(15,2) NOT NULL DEFAULT 0,
    active_loans            INTEGER NOT NULL DEFAULT 0,
    total_disbursed_count   INTEGER NOT NULL DEFAULT 0,
    total_disbursed_amount  NUMERIC(15,2) NOT NULL DEFAULT 0,
    -- delinquency
    overdue_15d_amount      NUMERIC(15,2) NOT NULL DEFAULT 0,
    overdue_15d_count       INTEGER NOT NULL DEFAULT 0,
    par15_ratio             NUMERIC(24,4),
    porr                    NUMERIC(24,4),
    -- FIMR
    disbursed_count         INTEGER NOT NULL DEFAULT 0,
    first_miss_count        INTEGER NOT NULL DEFAULT 0,
    fimr                    NUMERIC(24,4),
    all_time_fimr           NUMERIC(24,4),
    -- D0-6 slippage
    dpd_1to6_balance        NUMERIC(15,2) NOT NULL DEFAULT 0,
    amount_due_7d           NUMERIC(15,2) NOT NULL DEFAULT 0,
    d06_slippage            NUMERIC(24,4),
    -- roll
    prev_dpd_1to6_balance   NUMERIC(15,2) NOT NULL DEFAULT 0,
    moved_to_7to30          NUMERIC(15,2) NOT NULL DEFAULT 0,
    roll                    NUMERIC(24,4),
    -- FRR and yield
    fees_collected          NUMERIC(15,2) NOT NULL DEFAULT 0,
    fees_due                NUMERIC(15,2) NOT NULL DEFAULT 0,
    frr                     NUMERIC(24,4),
    interest_collected      NUMERIC(15,2) NOT NULL DEFAULT 0,
    total_yield             NUMERIC(15,2) NOT NULL DEFAULT 0,
    par15_mid_month         NUMERIC(15,2) NOT NULL DEFAULT 0,
    ayr                     NUMERIC(24,4),
    -- DQI components
    on_time_rate            NUMERIC(24,4),
    channel_purity          NUMERIC(24,4),
    -- risk score components
    waivers_amount          NUMERIC(15,2) NOT NULL DEFAULT 0,
    total_entries           INTEGER NOT NULL DEFAULT 0,
    backdated_count         INTEGER NOT NULL DEFAULT 0,
    reversals_count         INTEGER NOT NULL DEFAULT 0,
    had_float_gap           BOOLEAN NOT NULL DEFAULT FALSE,
    -- scores
    risk_score              INTEGER NOT NULL CHECK (risk_score BETWEEN 0 AND 100),
    risk_band               VARCHAR(20) NOT NULL CHECK (risk_band IN ('Green', 'Watch', 'Amber', 'Red')),
    risk_score_norm         NUMERIC(24,4) NOT NULL,
    dqi                     INTEGER NOT NULL,
    rank                    INTEGER,
    calculated_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT unique_officer_date UNIQUE (officer_id, calculation_date)
);
CREATE INDEX idx_officer_metrics_date ON officer_metrics_daily (calculation_date);
CREATE INDEX idx_officer_metrics_date_rank ON officer_metrics_daily (calculation_date, rank);
CREATE INDEX idx_officer_metrics_risk_band ON officer_metrics_daily (risk_band);

CREATE TABLE branch_metrics_daily (
    metric_id           BIGSERIAL PRIMARY KEY,
    branch              VARCHAR(100) NOT NULL,
    region              VARCHAR(100) NOT NULL,
    calculation_date    DATE NOT NULL,
    portfolio_total     NUMERIC(15,2) NOT NULL DEFAULT 0,
    active_loans        INTEGER NOT NULL DEFAULT 0,
    total_officers      INTEGER NOT NULL DEFAULT 0,
    overdue_15d         NUMERIC(15,2) NOT NULL DEFAULT 0,
    par15_ratio         NUMERIC(24,4),
    ayr                 NUMERIC(24,4),
    dqi                 INTEGER NOT NULL,
    fimr                NUMERIC(24,4),
    calculated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT unique_branch_date UNIQUE (branch, calculation_date)
);
CREATE INDEX idx_branch_metrics_region ON branch_metrics_daily (region);
CREATE INDEX idx_branch_metrics_date ON branch_metrics_daily (calculation_date);

CREATE TABLE dpd_transitions (
    transition_id       BIGSERIAL PRIMARY KEY,
    loan_id             VARCHAR(50) NOT NULL REFERENCES loans (loan_id),
    officer_id          VARCHAR(50) NOT NULL REFERENCES officers (officer_id),
    transition_date     DATE NOT NULL,
    from_dpd_bucket     VARCHAR(10),
    to_dpd_bucket       VARCHAR(10),
    outstanding_balance NUMERIC(15,2) NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_transitions_loan ON dpd_transitions (loan_id);
CREATE INDEX idx_transitions_officer ON dpd_transitions (officer_id);
CREATE INDEX idx_transitions_date ON dpd_transitions (transition_date);
CREATE INDEX idx_transitions_buckets ON dpd_transitions (from_dpd_bucket, to_dpd_bucket);

CREATE TABLE par15_snapshots (
    snapshot_id         BIGSERIAL PRIMARY KEY,
    snapshot_date       DATE NOT NULL,
    officer_id          VARCHAR(50) NOT NULL REFERENCES officers (officer_id),
    par15_exposure      NUMERIC(15,2) NOT NULL,
    par15_count         INTEGER NOT NULL DEFAULT 0,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT unique_officer_snapshot UNIQUE (officer_id, snapshot_date)
);
CREATE INDEX idx_snapshots_date ON par15_snapshots (snapshot_date);

CREATE TABLE metric_calculation_log (
    log_id              BIGSERIAL PRIMARY KEY,
    calculation_type    VARCHAR(100) NOT NULL,
    calculation_date    DATE NOT NULL,
    -- 'K/N' for a partitioned job, '0/1' otherwise
    partition_key       VARCHAR(20) NOT NULL DEFAULT '0/1',
    start_time          TIMESTAMPTZ NOT NULL DEFAULT now(),
    end_time            TIMESTAMPTZ,
    duration_seconds    NUMERIC(12,3),
    records_processed   INTEGER NOT NULL DEFAULT 0,
    records_updated     INTEGER NOT NULL DEFAULT 0,
    records_failed      INTEGER NOT NULL DEFAULT 0,
    status              VARCHAR(20) NOT NULL CHECK (status IN ('Running', 'Completed', 'Failed')),
    error_message       TEXT,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_calc_log_type_date ON metric_calculation_log (calculation_type, calculation_date);
CREATE INDEX idx_calc_log_status ON metric_calculation_log (status);

-- ---------------------------------------------------------------- audit

CREATE TABLE audit_tracking (
    audit_id            BIGSERIAL PRIMARY KEY,
    officer_id          VARCHAR(50) NOT NULL UNIQUE REFERENCES officers (officer_id),
    assignee_id         VARCHAR(50) REFERENCES team_members (member_id),
    assignee_name       VARCHAR(255),
    assigned_date       TIMESTAMPTZ,
    audit_status        VARCHAR(50) NOT NULL CHECK (audit_status IN ('Assigned', 'In Progress', 'Resolved')),
    status_changed_date TIMESTAMPTZ,
    last_audit_date     DATE,
    audit_notes         TEXT,
    risk_level          VARCHAR(20),
    action_type         VARCHAR(100),
    action_date         TIMESTAMPTZ,
    action_notes        TEXT,
    -- optimistic concurrency: every write increments it; an officer without a row is version 0
    version             INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_audit_assignee ON audit_tracking (assignee_id);
CREATE INDEX idx_audit_status ON audit_tracking (audit_status);
CREATE INDEX idx_audit_last_date ON audit_tracking (last_audit_date);
CREATE TRIGGER trg_audit_tracking_updated_at BEFORE UPDATE ON audit_tracking
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE audit_log (
    log_id              BIGSERIAL PRIMARY KEY,
    officer_id          VARCHAR(50) NOT NULL REFERENCES officers (officer_id),
    actor               VARCHAR(255) NOT NULL,
    action              VARCHAR(100) NOT NULL,
    old_value           JSONB,
    new_value           JSONB,
    request_id          VARCHAR(100),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_audit_log_officer ON audit_log (officer_id, log_id DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER trg_audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER trg_audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();

-- ---------------------------------------------------------------- ingestion

CREATE TABLE etl_rejects (
    reject_id           BIGSERIAL PRIMARY KEY,
    source              TEXT NOT NULL,
    location            TEXT NOT NULL,
    entity_type         VARCHAR(20),
    entity_id           VARCHAR(255),
    reasons             JSONB NOT NULL,
    payload             TEXT NOT NULL,
    received_at         TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_etl_rejects_received ON etl_rejects (received_at);
CREATE INDEX idx_etl_rejects_entity ON etl_rejects (entity_type, entity_id);
