-- Retention: payloads of messages delivered and acknowledged long ago are archived,
-- then pruned from the database. The message record stays (ids, parties, amounts, the
-- payload's SHA-256), so duplicates, notices, impact analysis and the audit trail keep
-- working, and an archived payload can be checked against the hash it was stored with.

-- name: prunable
SELECT m.id, m.sender, m.receiver, m.biz_msg_id, m.payload_sha256, m.payload, m.signature,
       m.received_ms, q.acked_ms, t.mx
FROM queue q
JOIN messages m ON m.id = q.message_id
LEFT JOIN translations t ON t.message_id = m.id
WHERE q.acked_ms IS NOT NULL AND q.acked_ms < ? AND length(m.payload) > 0
ORDER BY m.id
LIMIT ?

-- name: prune_payload
UPDATE messages SET payload = ? WHERE id = ? AND payload_sha256 = ? AND length(payload) > 0

-- name: prune_translation
DELETE FROM translations WHERE message_id = ?

-- name: pruned_count
SELECT count(*) FROM messages WHERE length(payload) = 0
