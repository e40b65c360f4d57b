-- Named queries the operator console reads with (finmesh.store.console_tables). Portable
-- SQL over the tables of the numbered migrations; nothing here writes except the nonce
-- that marks a signed-out console session (the nonces table of 0001).

-- name: nonce_seen
SELECT 1 FROM nonces WHERE subject = ? AND nonce = ?

-- name: messages_by_uetr
SELECT id, sender, receiver, biz_msg_id, msg_def_id, uetr, amount, currency, priority,
       received_ms, measure_id, licence_id
FROM messages WHERE uetr = ? ORDER BY id LIMIT 50

-- name: messages_by_biz_msg_id
SELECT id, sender, receiver, biz_msg_id, msg_def_id, uetr, amount, currency, priority,
       received_ms, measure_id, licence_id
FROM messages WHERE biz_msg_id = ? ORDER BY id LIMIT 50

-- name: messages_by_osn
SELECT m.id, m.sender, m.receiver, m.biz_msg_id, m.msg_def_id, m.uetr, m.amount, m.currency,
       m.priority, m.received_ms, m.measure_id, m.licence_id
FROM queue q JOIN messages m ON m.id = q.message_id WHERE q.osn = ? ORDER BY m.id LIMIT 50

-- name: message_by_id
SELECT id, sender, receiver, biz_msg_id, msg_def_id, uetr, amount, currency, priority,
       received_ms, measure_id, licence_id
FROM messages WHERE id = ?

-- name: message_by_sender_biz
SELECT id, sender, receiver, biz_msg_id, msg_def_id, uetr, amount, currency, priority,
       received_ms, measure_id, licence_id
FROM messages WHERE sender = ? AND biz_msg_id = ?

-- name: message_payload
SELECT m.payload, t.mx FROM messages m LEFT JOIN translations t ON t.message_id = m.id
WHERE m.id = ?

-- name: message_queue_row
SELECT receiver, seq, state, osn, delivered_count, first_sent_ms, acked_ms, warned_ms,
       obsolete_ms
FROM queue WHERE message_id = ?

-- name: message_notices
SELECT owner, seq, kind, reason, detail, measure_id, created_ms
FROM notices WHERE message_id = ? ORDER BY created_ms, seq

-- name: message_hold
SELECT id FROM holds WHERE message_id = ?

-- name: received_per_minute
SELECT received_ms / 60000 AS minute, COUNT(*) FROM messages
WHERE received_ms >= ? GROUP BY received_ms / 60000

-- name: delivered_per_minute
SELECT first_sent_ms / 60000 AS minute, COUNT(*) FROM queue
WHERE first_sent_ms >= ? GROUP BY first_sent_ms / 60000

-- name: acked_per_minute
SELECT acked_ms / 60000 AS minute, COUNT(*) FROM queue
WHERE acked_ms >= ? GROUP BY acked_ms / 60000

-- name: notices_per_minute
SELECT kind, created_ms / 60000 AS minute, COUNT(*) FROM notices
WHERE created_ms >= ? AND kind IN ('returned', 'rejected', 'non-delivery')
GROUP BY kind, created_ms / 60000

-- name: queue_depths
SELECT receiver, COUNT(*), MIN(seq) FROM queue
WHERE state = 'queued' AND acked_ms IS NULL GROUP BY receiver ORDER BY COUNT(*) DESC LIMIT ?

-- name: oldest_undelivered
SELECT m.id, m.sender, q.receiver, m.biz_msg_id, m.received_ms
FROM queue q JOIN messages m ON m.id = q.message_id
WHERE q.state = 'queued' AND q.acked_ms IS NULL ORDER BY m.received_ms, m.id LIMIT 1

-- name: last_activity
SELECT receiver, MAX(first_sent_ms), MAX(acked_ms) FROM queue GROUP BY receiver

-- name: search_institutions
SELECT bic11, name, country, city FROM institutions
WHERE (bic11 LIKE ? OR LOWER(name) LIKE ?) AND (? = '' OR country = ?)
ORDER BY bic11 LIMIT ?

-- name: recent_traffic
SELECT id, sender, receiver, biz_msg_id, msg_def_id, uetr, amount, currency, priority,
       received_ms, measure_id, licence_id
FROM messages WHERE sender LIKE ? OR receiver LIKE ? ORDER BY received_ms DESC, id DESC LIMIT ?
