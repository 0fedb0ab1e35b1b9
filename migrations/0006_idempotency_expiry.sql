-- Idempotency keys expire.
--
-- A stored response of POST .../actions lists the officer's top 20 risk loans with customer names
-- and phone numbers (unmasked when the caller was an admin), so it is kept only as long as a retry
-- is plausible. The API sets expires_at when it stores a key (IDEMPOTENCY_KEY_TTL_HOURS, default
-- 24 hours) and treats an expired key as unused; `metrics-worker archive-old-data` (daily) deletes
-- expired rows. Keys stored before this migration get the default lifetime.

ALTER TABLE api_idempotency_keys ADD COLUMN expires_at TIMESTAMPTZ;
UPDATE api_idempotency_keys SET expires_at = created_at + interval '24 hours';
ALTER TABLE api_idempotency_keys ALTER COLUMN expires_at SET NOT NULL;
CREATE INDEX idx_api_idempotency_expires ON api_idempotency_keys (expires_at);
