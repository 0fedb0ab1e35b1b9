-- The watermark of `metrics-worker sync-fineract` (issue 15, docs/fineract.md).
--
-- One row per followed tenant (source 'fineract'). `watermark` is the tenant's clock at the start
-- of the last completed sync: the next one reads the loans changed at or after it minus the
-- lookback. While a sync runs, each chunk's own transaction records how far it got
-- (`pending_watermark`, `pending_after_loan`: every candidate loan up to that id is written), so
-- the progress commits with the rows it covers; the chunk holding the last candidate moves
-- `pending_watermark` to `watermark` and clears the pending pair. A sync killed in between resumes
-- after `pending_after_loan` and then stores the older `pending_watermark`, so nothing changed in
-- between is missed.
CREATE TABLE fineract_sync_state (
    source              TEXT PRIMARY KEY,
    watermark           TIMESTAMPTZ,
    pending_watermark   TIMESTAMPTZ,
    pending_after_loan  BIGINT,
    pending_full        BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Phones as long as Fineract's (`m_staff.mobile_no`, `m_client.mobile_no`: VARCHAR(50)), in every
-- table that carries them; TextLimits (the validation's one list) says 50 too. Widening a VARCHAR
-- rewrites nothing, but the `loans` view depends on the columns of loan_accounts: it is dropped and
-- created again from its current definition (a whole-book refresh re-points it, so the migration
-- keeps whatever it is now).
DO $$
DECLARE
    definition TEXT := pg_get_viewdef('loans'::regclass);
BEGIN
    DROP VIEW loans;
    ALTER TABLE loan_accounts ALTER COLUMN customer_phone TYPE VARCHAR(50), ALTER COLUMN officer_phone TYPE VARCHAR(50);
    EXECUTE 'CREATE VIEW loans AS ' || definition;
END
$$;
ALTER TABLE officers ALTER COLUMN officer_phone TYPE VARCHAR(50);
ALTER TABLE customers ALTER COLUMN customer_phone TYPE VARCHAR(50);

-- The loans the sync loaded from the tenant (written in the chunk's own transaction), so that
-- `--reconcile` marks Cancelled only loans that came from it: one Fineract no longer shows as
-- disbursed, or no longer has at all.
CREATE TABLE fineract_loans (
    source      TEXT NOT NULL,
    loan_id     VARCHAR(50) NOT NULL,
    PRIMARY KEY (source, loan_id)
);
