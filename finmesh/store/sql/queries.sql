-- Named queries for the SQLite store. Each starts with "-- name: NAME".

-- name: insert_institution
INSERT INTO institutions (bic11, bic8, name, country, city, generated)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (bic11) DO UPDATE SET
    name = excluded.name, country = excluded.country, city = excluded.city,
    generated = excluded.generated

-- name: insert_link
INSERT INTO ownership (parent_bic8, child_bic8, share) VALUES (?, ?, ?)
ON CONFLICT (parent_bic8, child_bic8) DO UPDATE SET share = excluded.share

-- name: institution
SELECT bic11, name, country, city, generated FROM institutions WHERE bic11 = ?

-- name: institutions_with_bic8
SELECT bic11, name, country, city, generated FROM institutions WHERE bic8 = ? ORDER BY bic11

-- name: ownership_links
SELECT parent_bic8, child_bic8, share FROM ownership ORDER BY parent_bic8, child_bic8

-- name: directory_stats
SELECT count(*), count(DISTINCT country), coalesce(sum(generated), 0),
       (SELECT count(*) FROM ownership), (SELECT count(*) FROM participants)
FROM institutions

-- name: insert_participant
INSERT INTO participants (bic11, bic8, cert_pem, cert_serial, created_ms) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (bic11) DO UPDATE SET cert_pem = excluded.cert_pem, cert_serial = excluded.cert_serial

-- name: participant_cert
SELECT cert_pem FROM participants WHERE bic11 = ?

-- name: participant_for_bic8
SELECT bic11 FROM participants WHERE bic8 = ?

-- name: participants
SELECT bic11 FROM participants ORDER BY bic11

-- name: purge_nonces
DELETE FROM nonces WHERE expires_ms < ?

-- name: insert_nonce
INSERT INTO nonces (subject, nonce, expires_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING

-- name: find_message
SELECT payload_sha256, uetr FROM messages WHERE sender = ? AND biz_msg_id = ?

-- name: insert_message
INSERT INTO messages (sender, receiver, biz_msg_id, payload_sha256, payload, signature,
    msg_def_id, uetr, amount, currency, priority, notify_delivery, parties, purposes, received_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: next_seq
INSERT INTO cursors (owner, kind, last_seq, acked) VALUES (?, ?, 1, 0)
ON CONFLICT (owner, kind) DO UPDATE SET last_seq = last_seq + 1
RETURNING last_seq

-- name: cursor
SELECT last_seq, acked FROM cursors WHERE owner = ? AND kind = ?

-- name: set_acked
UPDATE cursors SET acked = ? WHERE owner = ? AND kind = ?

-- name: insert_queue
INSERT INTO queue (receiver, osn, message_id, obsolete_ms) VALUES (?, ?, ?, ?)

-- name: has_pending
SELECT 1 FROM queue WHERE receiver = ? AND osn > ? AND acked_ms IS NULL LIMIT 1

-- name: pending_deliveries
SELECT q.osn, q.delivered_count, m.sender, m.receiver, m.msg_def_id, m.biz_msg_id, m.uetr,
       m.payload, m.signature, p.cert_pem
FROM queue q
JOIN messages m ON m.id = q.message_id
JOIN participants p ON p.bic11 = m.sender
WHERE q.receiver = ? AND q.osn > ? AND q.acked_ms IS NULL
ORDER BY q.osn
LIMIT ?

-- name: mark_sent
UPDATE queue SET delivered_count = delivered_count + 1, first_sent_ms = coalesce(first_sent_ms, ?)
WHERE receiver = ? AND osn BETWEEN ? AND ?

-- name: highest_sent
SELECT coalesce(max(osn), 0) FROM queue WHERE receiver = ? AND osn <= ? AND delivered_count > 0

-- name: to_notify_delivered
SELECT m.id, m.sender FROM queue q JOIN messages m ON m.id = q.message_id
WHERE q.receiver = ? AND q.osn > ? AND q.osn <= ? AND m.notify_delivery = 1
ORDER BY q.osn

-- name: mark_acked
UPDATE queue SET acked_ms = ? WHERE receiver = ? AND osn > ? AND osn <= ?

-- name: obsolete_unwarned
SELECT q.receiver, q.osn, m.id, m.sender FROM queue q JOIN messages m ON m.id = q.message_id
WHERE q.acked_ms IS NULL AND q.warned_ms IS NULL AND q.obsolete_ms <= ?
ORDER BY q.obsolete_ms
LIMIT ?

-- name: mark_warned
UPDATE queue SET warned_ms = ? WHERE receiver = ? AND osn = ?

-- name: insert_notice
INSERT INTO notices (owner, seq, kind, message_id, reason, detail, created_ms)
VALUES (?, ?, ?, ?, ?, ?, ?)

-- name: notices_after
SELECT n.seq, n.kind, m.biz_msg_id, m.uetr, m.receiver, n.reason, n.detail, n.created_ms
FROM notices n JOIN messages m ON m.id = n.message_id
WHERE n.owner = ? AND n.seq > ?
ORDER BY n.seq
LIMIT ?

-- name: message_count
SELECT count(*) FROM messages
