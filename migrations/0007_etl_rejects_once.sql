-- Re-ingesting the same file does not store its rejects again (issue 13): one row per record of a
-- source, identified by (source, location, payload). A record rejected again updates its row
-- (reasons, received_at) instead of adding one. Older duplicates are removed first, keeping the
-- newest of each.
DELETE FROM etl_rejects a USING etl_rejects b
WHERE a.source = b.source AND a.location = b.location AND md5(a.payload) = md5(b.payload)
  AND a.reject_id < b.reject_id;

CREATE UNIQUE INDEX idx_etl_rejects_once ON etl_rejects (source, location, md5(payload));
