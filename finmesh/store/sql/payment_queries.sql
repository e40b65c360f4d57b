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
