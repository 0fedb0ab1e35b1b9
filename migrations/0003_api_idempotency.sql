-- Idempotency keys of POST /api/v1/audit/officers/{officer_id}/actions (API.md "Writes"): a retry
-- with the same key (per actor) returns the first response and records nothing twice.
CREATE TABLE api_idempotency_keys (
    actor               VARCHAR(255) NOT NULL,
    idempotency_key     VARCHAR(255) NOT NULL,
    officer_id          VARCHAR(50) NOT NULL REFERENCES officers (officer_id),
    request_hash        VARCHAR(64) NOT NULL,
    status_code         INTEGER NOT NULL,
    response_body       TEXT NOT NULL,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (actor, idempotency_key)
);
CREATE INDEX idx_api_idempotency_created ON api_idempotency_keys (created_at);
