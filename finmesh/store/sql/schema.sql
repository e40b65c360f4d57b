-- finmesh state, SQLite dialect. Applied at open; every statement is idempotent.
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
    UNIQUE (sender, biz_msg_id)
);
CREATE INDEX IF NOT EXISTS messages_received ON messages (received_ms);

CREATE TABLE IF NOT EXISTS queue (
    receiver        TEXT NOT NULL,
    osn             INTEGER NOT NULL,
    message_id      INTEGER NOT NULL UNIQUE REFERENCES messages (id),
    obsolete_ms     INTEGER NOT NULL,
    delivered_count INTEGER NOT NULL DEFAULT 0,
    first_sent_ms   INTEGER,
    acked_ms        INTEGER,
    warned_ms       INTEGER,
    PRIMARY KEY (receiver, osn)
);
CREATE INDEX IF NOT EXISTS queue_pending ON queue (obsolete_ms) WHERE acked_ms IS NULL AND warned_ms IS NULL;

CREATE TABLE IF NOT EXISTS cursors (
    owner    TEXT NOT NULL,
    kind     TEXT NOT NULL,   -- 'osn' (deliveries to owner) or 'notice' (notices to owner)
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
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (owner, seq),
    UNIQUE (message_id, kind)
);
