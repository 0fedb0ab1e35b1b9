-- POST /api/v1/ingest (issue 14): every request is a batch of its own.
--
--   ingest_batches      one row per request: who sent it (the token's sub), its state and counts.
--                       Its rejects go to etl_rejects like those of a file, with the source
--                       'api:<batch_id>', so `metrics-worker rejects` lists them too and
--                       GET /api/v1/ingest/batches/{batch_id}/rejects pages through them.
--   etl_rejects         record_index: the record's position in its input (from 0), so a batch's
--                       rejects page in input order. Null for rejects stored before this migration.
--   api_idempotency_keys  an Idempotency-Key of an ingest request names its batch instead of an
--                       officer. While the request runs its row is a claim (status_code 0, no
--                       response yet) with a short lease that every written chunk renews, so a
--                       concurrent retry gets 409 and the claim of a killed process lapses.

CREATE TABLE ingest_batches (
    batch_id        UUID PRIMARY KEY,
    subject         VARCHAR(255) NOT NULL,
    content_type    VARCHAR(50) NOT NULL,
    status          VARCHAR(20) NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
    accepted        INTEGER NOT NULL DEFAULT 0,
    rejected        INTEGER NOT NULL DEFAULT 0,
    started_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at     TIMESTAMPTZ
);
CREATE INDEX idx_ingest_batches_subject ON ingest_batches (subject, started_at);

ALTER TABLE etl_rejects ADD COLUMN record_index INTEGER;
CREATE INDEX idx_etl_rejects_source_index ON etl_rejects (source, record_index);

ALTER TABLE api_idempotency_keys ALTER COLUMN officer_id DROP NOT NULL;
ALTER TABLE api_idempotency_keys ADD COLUMN batch_id UUID REFERENCES ingest_batches (batch_id);
ALTER TABLE api_idempotency_keys ADD CONSTRAINT api_idempotency_keys_names_one
    CHECK ((officer_id IS NULL) <> (batch_id IS NULL));

-- The live-change triggers of 0009 join their transition tables, of whose size the planner knows
-- nothing (it guesses one row), so it picked a nested loop: a chunk of 5,000 repayments touching
-- 5,000 loans compared 25 million pairs, 4 to 10 s per chunk, and the whole ingest ran at a third
-- of its speed (bench-ingest.sh: 211,000 records in 55-77 s instead of 21 s). A hash join is always
-- right for these one-to-one joins on the key.
ALTER FUNCTION mark_loans_updated() SET enable_nestloop = off;
ALTER FUNCTION mark_officers_updated() SET enable_nestloop = off;
