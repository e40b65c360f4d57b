-- Named queries shared by the SQLite and PostgreSQL stores. Each starts with "-- name: NAME".
-- Portable SQL only, with "?" placeholders (the PostgreSQL handle turns them into %s).

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
SELECT payload_sha256, uetr, measure_id, id, licence_id FROM messages
WHERE sender = ? AND biz_msg_id = ?

-- name: find_messages
-- "IN (?)" is widened to one placeholder per BizMsgIdr looked up (queries.in_list)
SELECT biz_msg_id, payload_sha256, uetr, measure_id, id, licence_id FROM messages
WHERE sender = ? AND biz_msg_id IN (?)

-- name: insert_message
INSERT INTO messages (sender, receiver, biz_msg_id, payload_sha256, payload, signature,
    msg_def_id, uetr, amount, currency, priority, notify_delivery, parties, purposes, received_ms,
    measure_id, licence_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (sender, biz_msg_id) DO NOTHING
RETURNING id

-- name: insert_translation
INSERT INTO translations (message_id, mx) VALUES (?, ?)

-- name: next_seq
INSERT INTO cursors (owner, kind, last_seq, acked) VALUES (?, ?, 1, 0)
ON CONFLICT (owner, kind) DO UPDATE SET last_seq = cursors.last_seq + 1
RETURNING last_seq

-- name: advance_cursor
INSERT INTO cursors (owner, kind, last_seq, acked) VALUES (?, ?, ?, 0)
ON CONFLICT (owner, kind) DO UPDATE SET last_seq = excluded.last_seq

-- name: cursor
SELECT last_seq, acked FROM cursors WHERE owner = ? AND kind = ?

-- name: set_acked
UPDATE cursors SET acked = ? WHERE owner = ? AND kind = ?

-- name: insert_queue
INSERT INTO queue (receiver, seq, message_id, obsolete_ms) VALUES (?, ?, ?, ?)

-- name: has_pending
SELECT 1 FROM queue WHERE receiver = ? AND (
    (osn > ? AND acked_ms IS NULL) OR (osn IS NULL AND state = 'queued')) LIMIT 1

-- name: pending_deliveries
SELECT q.seq, q.osn, q.delivered_count, m.sender, m.receiver, m.msg_def_id, m.biz_msg_id,
       m.uetr, m.payload, m.signature, p.cert_pem, t.mx, m.received_ms
FROM queue q
JOIN messages m ON m.id = q.message_id
JOIN participants p ON p.bic11 = m.sender
LEFT JOIN translations t ON t.message_id = m.id
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
SELECT q.receiver, q.seq, m.id, m.sender FROM queue q JOIN messages m ON m.id = q.message_id
WHERE q.acked_ms IS NULL AND q.warned_ms IS NULL AND q.state = 'queued' AND q.obsolete_ms <= ?
ORDER BY q.obsolete_ms
LIMIT ?

-- name: mark_warned
UPDATE queue SET warned_ms = ? WHERE receiver = ? AND seq = ?

-- name: insert_notice
INSERT INTO notices (owner, seq, kind, message_id, reason, detail, created_ms, measure_id)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)

-- name: notices_after
SELECT n.seq, n.kind, m.biz_msg_id, m.uetr, m.receiver, n.reason, n.detail, n.created_ms,
       n.measure_id
FROM notices n JOIN messages m ON m.id = n.message_id
WHERE n.owner = ? AND n.seq > ?
ORDER BY n.seq
LIMIT ?

-- name: message_count
SELECT count(*) FROM messages

-- name: unassigned_deliveries
SELECT q.seq, q.osn, q.delivered_count, m.sender, m.receiver, m.msg_def_id, m.biz_msg_id,
       m.uetr, m.payload, m.signature, p.cert_pem, t.mx, m.received_ms
FROM queue q
JOIN messages m ON m.id = q.message_id
JOIN participants p ON p.bic11 = m.sender
LEFT JOIN translations t ON t.message_id = m.id
WHERE q.receiver = ? AND q.osn IS NULL AND q.state = 'queued'
ORDER BY q.seq
LIMIT ?

-- name: assign_osn
UPDATE queue SET osn = ? WHERE receiver = ? AND seq = ?

-- name: get_meta
SELECT value FROM meta WHERE key = ?

-- name: get_metas
SELECT key, value FROM meta WHERE key IN (?, ?)

-- name: set_meta
INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value

-- name: insert_operator
INSERT INTO operators (name, cert_pem, roles, created_ms) VALUES (?, ?, ?, ?)

-- name: operator
SELECT cert_pem, roles FROM operators WHERE name = ?

-- name: all_measures
SELECT data FROM measures ORDER BY rowid

-- name: measure
SELECT data FROM measures WHERE id = ?

-- name: upsert_measure
INSERT INTO measures (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data

-- name: mark_enforced
UPDATE measures SET enforced_ms = ? WHERE id = ?

-- name: all_licences
SELECT data, used_total FROM licences ORDER BY rowid

-- name: licence
SELECT data, used_total FROM licences WHERE id = ?

-- name: upsert_licence
INSERT INTO licences (id, measure_id, data) VALUES (?, ?, ?)
ON CONFLICT (id) DO UPDATE SET data = excluded.data

-- name: set_licence_used
UPDATE licences SET used_total = ? WHERE id = ?

-- name: insert_hold
INSERT INTO holds (id, message_id, measure_id, data, created_ms) VALUES (?, ?, ?, ?, ?)

-- name: hold
SELECT data FROM holds WHERE id = ?

-- name: holds
SELECT data FROM holds ORDER BY id

-- name: update_hold
UPDATE holds SET data = ? WHERE id = ?

-- name: hold_message
SELECT id, sender, receiver, priority FROM messages WHERE id = ?

-- name: mark_returned
UPDATE queue SET state = 'returned' WHERE receiver = ? AND seq = ?

-- name: traffic_count
SELECT count(*) FROM messages WHERE received_ms >= ? AND received_ms < ?

-- name: traffic
SELECT biz_msg_id, received_ms, sender, receiver, parties, purposes, amount, currency
FROM messages WHERE received_ms >= ? AND received_ms < ? ORDER BY id

-- name: queued_traffic
SELECT m.biz_msg_id, m.received_ms, m.sender, m.receiver, m.parties, m.purposes, m.amount, m.currency
FROM queue q JOIN messages m ON m.id = q.message_id
WHERE q.state = 'queued' AND q.osn IS NULL
ORDER BY q.message_id

-- name: last_audit
SELECT seq, at_ms, actor, action, subject, details, prev_hash, hash FROM audit ORDER BY seq DESC LIMIT 1

-- name: insert_audit
INSERT INTO audit (seq, at_ms, actor, action, subject, details, prev_hash, hash)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)

-- name: audit_entries
SELECT seq, at_ms, actor, action, subject, details, prev_hash, hash FROM audit ORDER BY rowid

-- name: audit_page
SELECT seq, at_ms, actor, action, subject, details, prev_hash, hash FROM audit
WHERE seq > ? ORDER BY seq LIMIT ?

-- name: enforced
SELECT enforced_ms FROM measures WHERE id = ?

-- name: has_unassigned_in
SELECT 1 FROM queue WHERE receiver >= ? AND receiver < ? AND state = 'queued' AND osn IS NULL
LIMIT 1

-- name: queued_unassigned_in
SELECT q.receiver, q.seq, q.message_id, m.sender FROM queue q JOIN messages m ON m.id = q.message_id
WHERE q.receiver >= ? AND q.receiver < ? AND q.state = 'queued' AND q.osn IS NULL
ORDER BY q.receiver, q.seq

-- name: queue_stats
-- every unacknowledged queued message, by delivery priority: the metrics' queue depth
-- and oldest undelivered age (a scan of the unacknowledged rows, once per scrape)
SELECT m.priority, count(*), min(m.received_ms)
FROM queue q
JOIN messages m ON m.id = q.message_id
WHERE q.acked_ms IS NULL AND q.state = 'queued'
GROUP BY m.priority
