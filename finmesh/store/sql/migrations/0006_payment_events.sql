-- Payment tracking: one row per stored message that carries a UETR and is a step of a
-- payment's flow (pacs.008/009 payment or cover, pacs.002 status, pacs.004 return,
-- camt.056 recall request, camt.029 answer), written in the transaction that stores
-- the message. The network adds the steps it takes itself on such a message (step
-- "network_reject": a hold rejected, P03; "network_return": returned to its sender when
-- a disconnection cut its receiver off, P04), once each, in the transaction of that
-- decision. Rows are never updated: a payment's history is its rows by time.
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
    PRIMARY KEY (sender, biz_msg_id, step)
);
CREATE INDEX IF NOT EXISTS payment_events_by_uetr ON payment_events (uetr, at_ms);
