-- Fineract's external events (issue 16, docs/fineract-events.md), beside the pull of 0013.
--
--   fineract_offices        the tenant's offices as the pull last read them (every run reads them
--                           whole): the consumer resolves a loan's clientOfficeId to region and
--                           branch through them, as the pull does (FINERACT.md "Offices").
--   fineract_event_keys     the idempotencyKey of every message applied, written in the transaction
--                           of its ingest: a redelivery finds its key and changes nothing.
--   fineract_loan_snapshots per loan, the message id of the loan snapshot (LoanAccountDataV1)
--                           applied last: an older one is not applied over it.
--   fineract_transactions   Fineract transaction id -> its replay chain's first transaction (whose
--                           id is our repayment id) and that transaction's submitted date
--                           (is_backdated): a replay's new transaction takes the record of the old.
CREATE TABLE fineract_offices (
    source      TEXT NOT NULL,
    office_id   BIGINT NOT NULL,
    name        TEXT NOT NULL,
    hierarchy   TEXT,
    PRIMARY KEY (source, office_id)
);

CREATE TABLE fineract_event_keys (
    idempotency_key TEXT PRIMARY KEY,
    message_id      BIGINT NOT NULL,
    event_type      TEXT NOT NULL,
    applied_at      TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_fineract_event_keys_applied ON fineract_event_keys (applied_at);

CREATE TABLE fineract_loan_snapshots (
    loan_id     VARCHAR(50) PRIMARY KEY,
    message_id  BIGINT NOT NULL,
    applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE fineract_transactions (
    transaction_id      BIGINT PRIMARY KEY,
    loan_id             VARCHAR(50) NOT NULL,
    root_transaction_id BIGINT NOT NULL,
    root_submitted_on   DATE NOT NULL
);
