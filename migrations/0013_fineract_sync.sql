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
