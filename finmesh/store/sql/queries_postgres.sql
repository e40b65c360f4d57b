-- Named queries only the PostgreSQL store uses ("?" placeholders, as everywhere).

-- name: store_plain_message
-- A message that is neither held nor licensed, stored and queued in one statement (the
-- store sends a whole batch of these in one pipeline). A message already stored under
-- this sender and BizMsgIdr inserts nothing and returns no row.
WITH m AS (
    INSERT INTO messages (sender, receiver, biz_msg_id, payload_sha256, payload, signature,
        msg_def_id, uetr, amount, currency, priority, notify_delivery, parties, purposes,
        received_ms, measure_id, licence_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)
    ON CONFLICT (sender, biz_msg_id) DO NOTHING
    RETURNING id, receiver
), s AS (
    INSERT INTO cursors (owner, kind, last_seq, acked)
    SELECT receiver, 'queue', 1, 0 FROM m
    ON CONFLICT (owner, kind) DO UPDATE SET last_seq = cursors.last_seq + 1
    RETURNING last_seq
)
INSERT INTO queue (receiver, seq, message_id, obsolete_ms)
SELECT m.receiver, s.last_seq, m.id, ? FROM m, s
RETURNING seq
