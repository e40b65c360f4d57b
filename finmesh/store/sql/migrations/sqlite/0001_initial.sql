-- 0001 initial schema, SQLite dialect (the schema of every finmesh before migrations;
-- a file of that time has user_version 1). Statements stay idempotent, as they were.
-- Messages are immutable once stored; queue rows carry the per-receiver delivery state.

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS institutions (
    bic11     TEXT PRIMARY KEY,
    bic8      TEXT NOT NULL,
    name      TEXT NOT NULL,
    country   TEXT NOT NULL,
    city      TEXT,
    generated INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS institutions_bic8 ON institutions (bic8);

CREATE TABLE IF NOT EXISTS ownership (
    parent_bic8 TEXT NOT NULL,
    child_bic8  TEXT NOT NULL,
    share       TEXT NOT NULL,
    PRIMARY KEY (parent_bic8, child_bic8)
);

CREATE TABLE IF NOT EXISTS participants (
    bic11       TEXT PRIMARY KEY,
    bic8        TEXT NOT NULL UNIQUE,
    cert_pem    BLOB NOT NULL,
    cert_serial TEXT NOT NULL,
    created_ms  INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS nonces (
    subject    TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    expires_ms INTEGER NOT NULL,
    PRIMARY KEY (subject, nonce)
);
CREATE INDEX IF NOT EXISTS nonces_expiry ON nonces (expires_ms);

CREATE TABLE IF NOT EXISTS messages (
    id              INTEGER PRIMARY KEY,
    sender          TEXT NOT NULL,
    receiver        TEXT NOT NULL,
    biz_msg_id      TEXT NOT NULL,
    payload_sha256  TEXT NOT NULL,
    payload         BLOB NOT NULL,
    signature       BLOB NOT NULL,
    msg_def_id      TEXT NOT NULL,
    uetr            TEXT,
    amount          TEXT,
    currency        TEXT,
    priority        TEXT NOT NULL,
    notify_delivery INTEGER NOT NULL,
    parties         TEXT NOT NULL,
    purposes        TEXT NOT NULL,
    received_ms     INTEGER NOT NULL,
    measure_id      TEXT,            -- the measure that held it, if any
    licence_id      TEXT,            -- the licence that let it through, if any
    UNIQUE (sender, biz_msg_id)
);
CREATE INDEX IF NOT EXISTS messages_received ON messages (received_ms);

-- One row per stored message, in its receiver's queue. seq orders the queue; the OSN
-- is assigned when the message is first handed to the receiver (as FIN does), so a
-- message that is never output (returned to its sender) leaves no gap in the OSNs.
CREATE TABLE IF NOT EXISTS queue (
    receiver        TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    message_id      INTEGER NOT NULL UNIQUE REFERENCES messages (id),
    state           TEXT NOT NULL DEFAULT 'queued',   -- queued | returned
    obsolete_ms     INTEGER NOT NULL,
    osn             INTEGER,
    delivered_count INTEGER NOT NULL DEFAULT 0,
    first_sent_ms   INTEGER,
    acked_ms        INTEGER,
    warned_ms       INTEGER,
    PRIMARY KEY (receiver, seq),
    UNIQUE (receiver, osn)
);
CREATE INDEX IF NOT EXISTS queue_unassigned ON queue (receiver, seq) WHERE osn IS NULL AND state = 'queued';
CREATE INDEX IF NOT EXISTS queue_pending ON queue (obsolete_ms) WHERE acked_ms IS NULL AND warned_ms IS NULL;

CREATE TABLE IF NOT EXISTS cursors (
    owner    TEXT NOT NULL,
    kind     TEXT NOT NULL,   -- 'queue', 'osn' (deliveries to owner), 'notice' (notices to owner)
    last_seq INTEGER NOT NULL,
    acked    INTEGER NOT NULL,
    PRIMARY KEY (owner, kind)
);

CREATE TABLE IF NOT EXISTS notices (
    owner      TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    message_id INTEGER NOT NULL REFERENCES messages (id),
    reason     TEXT,
    detail     TEXT,
    measure_id TEXT,             -- the measure a returned / released / rejected notice is about
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (owner, seq),
    UNIQUE (message_id, kind)
);

-- Operators authenticate with their own certificates and act in roles.
CREATE TABLE IF NOT EXISTS operators (
    name       TEXT PRIMARY KEY,
    cert_pem   BLOB NOT NULL,
    roles      TEXT NOT NULL,          -- JSON list
    created_ms INTEGER NOT NULL
);

-- Measures and licences are stored whole (JSON of the domain value); the policy
-- version in meta changes with every write, so evaluations can detect a change.
CREATE TABLE IF NOT EXISTS measures (
    id          TEXT PRIMARY KEY,
    data        TEXT NOT NULL,
    enforced_ms INTEGER              -- when queued messages were returned (disconnections)
);

CREATE TABLE IF NOT EXISTS licences (
    id         TEXT PRIMARY KEY,
    measure_id TEXT NOT NULL REFERENCES measures (id),
    data       TEXT NOT NULL,
    used_total TEXT NOT NULL DEFAULT '0'
);

-- A held message is stored but not queued until two officers release it.
CREATE TABLE IF NOT EXISTS holds (
    id         INTEGER PRIMARY KEY,
    message_id INTEGER NOT NULL UNIQUE REFERENCES messages (id),
    measure_id TEXT NOT NULL,
    data       TEXT NOT NULL,        -- JSON of the domain Hold value
    created_ms INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS audit (
    seq       INTEGER PRIMARY KEY,
    at_ms     INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    details   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
