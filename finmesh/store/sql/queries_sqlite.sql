-- Named queries whose SQLite form differs from queries.sql ("?" placeholders). Each
-- replaces the query of the same name for the SQLite store only.

-- name: unassigned_deliveries
-- INDEXED BY: left to itself, SQLite's planner takes the (receiver, osn) index for
-- "osn IS NULL" and sorts the receiver's whole backlog (payloads included) for every
-- page; the partial index gives the page in queue order, O(page) at any backlog.
SELECT q.seq, q.osn, q.delivered_count, m.sender, m.receiver, m.msg_def_id, m.biz_msg_id,
       m.uetr, m.payload, m.signature, p.cert_pem, t.mx, m.received_ms
FROM queue q INDEXED BY queue_unassigned
JOIN messages m ON m.id = q.message_id
JOIN participants p ON p.bic11 = m.sender
LEFT JOIN translations t ON t.message_id = m.id
WHERE q.receiver = ? AND q.osn IS NULL AND q.state = 'queued'
ORDER BY q.seq
LIMIT ?
