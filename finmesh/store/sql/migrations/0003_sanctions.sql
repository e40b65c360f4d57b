-- Sanctions screening: list versions and their entries, good-guy exceptions and the
-- screening result of every screened message. Portable between SQLite and PostgreSQL
-- (TEXT / BIGINT / INTEGER, no BLOB, no AUTOINCREMENT), so one file serves both.

-- Counters: 'version' changes with every list load and every good-guy change (nodes
-- rebuild their screening index when it moves); 'good_guy_id' numbers exceptions.
CREATE TABLE IF NOT EXISTS screening_counters (
    name          TEXT PRIMARY KEY,
    counter_value BIGINT NOT NULL
);

-- One row per immutable load of a list; the highest version_no of a list is in force.
CREATE TABLE IF NOT EXISTS sanction_list_versions (
    list_name   TEXT NOT NULL,
    version_no  INTEGER NOT NULL,
    label       TEXT NOT NULL,
    digest      TEXT NOT NULL,
    entry_count INTEGER NOT NULL,
    list_format TEXT NOT NULL,
    loaded_ms   BIGINT NOT NULL,
    loaded_by   TEXT NOT NULL,
    PRIMARY KEY (list_name, version_no)
);

-- The entries of each version, one row each, as canonical JSON (ListEntry.canonical()).
CREATE TABLE IF NOT EXISTS sanction_entries (
    list_name  TEXT NOT NULL,
    version_no INTEGER NOT NULL,
    entry_id   TEXT NOT NULL,
    entry_json TEXT NOT NULL,
    PRIMARY KEY (list_name, version_no, entry_id)
);

-- Good-guy exceptions: a listed entry cleared for one counterparty (BIC or name).
-- In force once approved by a second officer, until withdrawn or expired.
CREATE TABLE IF NOT EXISTS good_guys (
    id           TEXT PRIMARY KEY,
    list_name    TEXT NOT NULL,
    entry_id     TEXT NOT NULL,
    cleared_for  TEXT NOT NULL,
    reason       TEXT NOT NULL,
    expires_ms   BIGINT,
    proposed_by  TEXT NOT NULL,
    proposed_ms  BIGINT NOT NULL,
    approved_by  TEXT,
    approved_ms  BIGINT,
    withdrawn_by TEXT,
    withdrawn_ms BIGINT
);

-- What screening found for each screened message, written with the message.
CREATE TABLE IF NOT EXISTS screening_results (
    sender      TEXT NOT NULL,
    biz_msg_id  TEXT NOT NULL,
    decision    TEXT NOT NULL,
    versions    TEXT NOT NULL,
    hits        TEXT NOT NULL,
    screened_ms BIGINT NOT NULL,
    PRIMARY KEY (sender, biz_msg_id)
);
