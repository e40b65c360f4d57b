-- The screening memo: the hits of each query screened, per scope (the list versions in
-- force and the matcher's own version), shared by every worker and node and kept across
-- restarts, so a counterparty already screened against the same lists costs a lookup,
-- not a screen. Not evidence (each message's own result is in screening_results): a row
-- lost costs one screen again. Bounded: the oldest rows go first (by id).
CREATE TABLE IF NOT EXISTS screening_memo (
    id        INTEGER PRIMARY KEY,
    scope     TEXT NOT NULL,
    query_key TEXT NOT NULL,
    hits      TEXT NOT NULL,
    stored_ms BIGINT NOT NULL,
    UNIQUE (scope, query_key)
);
