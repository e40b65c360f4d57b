-- Payment tracking (migration 0006_payment_events.sql).

-- name: insert_event
INSERT INTO payment_events
    (uetr, at_ms, sender, receiver, msg_def_id, biz_msg_id, step, status, reason,
     amount, currency, refs)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)

-- name: events_of
SELECT uetr, at_ms, sender, receiver, msg_def_id, biz_msg_id, step, status, reason,
       amount, currency, refs
FROM payment_events WHERE uetr = ? ORDER BY at_ms, sender, biz_msg_id

-- name: credit_times
SELECT uetr, MIN(at_ms), MIN(CASE WHEN status = 'ACCC' THEN at_ms END)
FROM payment_events WHERE at_ms >= ? AND step IN ('payment', 'cover', 'status')
GROUP BY uetr

-- name: network_event
-- The network's own step on a tracked message (messages.id): a copy of the message's
-- event with the network's step, status and reason; nothing for untracked messages.
INSERT INTO payment_events
    (uetr, at_ms, sender, receiver, msg_def_id, biz_msg_id, step, status, reason,
     amount, currency, refs)
SELECT e.uetr, ?, e.sender, e.receiver, e.msg_def_id, e.biz_msg_id, ?, 'RJCT', ?,
       e.amount, e.currency, e.refs
FROM messages m
JOIN payment_events e ON e.sender = m.sender AND e.biz_msg_id = m.biz_msg_id
WHERE m.id = ? AND e.step NOT LIKE 'network%'
ON CONFLICT DO NOTHING
