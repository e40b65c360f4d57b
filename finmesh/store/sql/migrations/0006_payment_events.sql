-- Payment tracking: one row per stored message that carries a UETR and is a step of a
-- payment's flow (pacs.008/009 payment or cover, pacs.002 status, pacs.004 return,
-- camt.056 recall request, camt.029 answer), written in the transaction that stores
-- the message. Rows are never updated: a payment's history is its rows by time.
CREATE TABLE IF NOT EXISTS payment_events (
    uetr        TEXT NOT NULL,
    at_ms       BIGINT NOT NULL,
    sender      TEXT NOT NULL,
    receiver    TEXT NOT NULL,
    msg_def_id  TEXT NOT NULL,
    biz_msg_id  TEXT NOT NULL,
    step        TEXT NOT NULL,
    status      TEXT NOT NULL,
    reason      TEXT,
    amount      TEXT,
    currency    TEXT,
    refs        TEXT NOT NULL,
    PRIMARY KEY (sender, biz_msg_id)
);
CREATE INDEX IF NOT EXISTS payment_events_by_uetr ON payment_events (uetr, at_ms);
