-- Trust state: relationship authorizations (RMA) and retired certificates.
-- Portable between SQLite and PostgreSQL (TEXT / BIGINT / INTEGER, no BLOB, no
-- AUTOINCREMENT), so one file serves both. The participants table (0001) keeps each
-- institution's current certificate.

-- Counters: 'version' changes with every write to these tables (intake caches compare
-- it, and a batch commits only if it is unchanged); 'grant_id' numbers authorizations.
CREATE TABLE IF NOT EXISTS trust_counters (
    name          TEXT PRIMARY KEY,
    counter_value BIGINT NOT NULL
);

-- One row per authorization: receiver_bic8 lets sender_bic8 send it messages of the
-- listed type scopes (JSON list; [] = every type) within [valid_from_ms, valid_until_ms).
CREATE TABLE IF NOT EXISTS rma_grants (
    id             TEXT PRIMARY KEY,
    receiver_bic8  TEXT NOT NULL,
    sender_bic8    TEXT NOT NULL,
    types          TEXT NOT NULL,
    valid_from_ms  BIGINT,
    valid_until_ms BIGINT,
    granted_by     TEXT NOT NULL,
    granted_ms     BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS rma_grants_pair ON rma_grants (receiver_bic8, sender_bic8);

-- Participant certificates that are no longer simply current: rotated out (kept so
-- receivers can verify messages signed before the rotation until usable_until_ms) or
-- revoked (refused for requests from the next request on).
CREATE TABLE IF NOT EXISTS retired_certificates (
    subject         TEXT NOT NULL,
    serial          TEXT NOT NULL,
    cert_pem        TEXT NOT NULL,
    rotated_ms      BIGINT,
    usable_until_ms BIGINT,
    revoked_ms      BIGINT,
    revoked_by      TEXT,
    PRIMARY KEY (subject, serial)
);
