-- Two index entries less per installment written (issue 15: the first sync of a Fineract tenant
-- writes 16 installments per loan, 60% of its rows).
--
-- Nothing reads loan_schedule by its surrogate schedule_id or by due date: the refresh streams a
-- loan's installments, the ingest deletes and rewrites them by loan_id, and both go through
-- (loan_id, installment_number). So schedule_id (its primary key index and its sequence) and
-- idx_schedule_due_date go; the unique constraint on (loan_id, installment_number), two NOT NULL
-- columns, is the table's key and its replica identity. (Making it the primary key instead would
-- rebuild the index under an exclusive lock: seconds per million installments on an upgrade, for
-- nothing the unique constraint does not already give.)
-- Measured (scripts/bench-fineract.sh, 1,000,000 loans, runs alternated in one session): the first
-- full sync 226.9 s on schema 15, 203.7 s and 184.6 s on this one; PostgreSQL's CPU 224.5 s against
-- 198.2 s and 177.7 s (docs/fineract.md).
--
-- Catalog changes only, but under an exclusive lock on loan_schedule, which waits for the running
-- readers and writers of the table (a refresh's schedule stream, an ingest) and holds back those
-- behind it: given up after 10 s (the migration rolls back; run it again at a quieter moment).
SET LOCAL lock_timeout = '10s';
DROP INDEX idx_schedule_due_date;
ALTER TABLE loan_schedule DROP COLUMN schedule_id;
ALTER TABLE loan_schedule REPLICA IDENTITY USING INDEX unique_loan_installment;
