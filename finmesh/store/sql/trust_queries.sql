-- Named queries of the trust tables (migration 0002_trust.sql). Each starts with "-- name: NAME";
-- placeholders are "?"; nothing SQLite-only, so the PostgreSQL store can load them too.

-- name: get_counter
SELECT counter_value FROM trust_counters WHERE name = ?

-- name: bump_counter
INSERT INTO trust_counters (name, counter_value) VALUES (?, 1)
ON CONFLICT (name) DO UPDATE SET counter_value = trust_counters.counter_value + 1
RETURNING counter_value

-- name: all_grants
SELECT id, receiver_bic8, sender_bic8, types, valid_from_ms, valid_until_ms, granted_by,
       granted_ms
FROM rma_grants

-- name: pair_grants
SELECT id, receiver_bic8, sender_bic8, types, valid_from_ms, valid_until_ms, granted_by,
       granted_ms
FROM rma_grants WHERE receiver_bic8 = ? AND sender_bic8 = ?

-- name: upsert_grant
INSERT INTO rma_grants (id, receiver_bic8, sender_bic8, types, valid_from_ms, valid_until_ms,
    granted_by, granted_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET types = excluded.types, valid_from_ms = excluded.valid_from_ms,
    valid_until_ms = excluded.valid_until_ms

-- name: delete_grant
DELETE FROM rma_grants WHERE id = ?

-- name: current_certificate
SELECT cert_pem, cert_serial FROM participants WHERE bic11 = ?

-- name: set_current_certificate
UPDATE participants SET cert_pem = ?, cert_serial = ? WHERE bic11 = ?

-- name: certificate_revoked
SELECT 1 FROM retired_certificates WHERE subject = ? AND serial = ? AND revoked_ms IS NOT NULL

-- name: retired_certificate
SELECT serial, subject, cert_pem, rotated_ms, usable_until_ms, revoked_ms, revoked_by
FROM retired_certificates WHERE subject = ? AND serial = ?

-- name: retired_in_use
SELECT serial, subject, cert_pem, rotated_ms, usable_until_ms, revoked_ms, revoked_by
FROM retired_certificates WHERE revoked_ms IS NOT NULL OR usable_until_ms > ?

-- name: retire_rotated
INSERT INTO retired_certificates (serial, subject, cert_pem, rotated_ms, usable_until_ms)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (subject, serial) DO UPDATE SET rotated_ms = excluded.rotated_ms,
    usable_until_ms = excluded.usable_until_ms

-- name: retire_revoked
INSERT INTO retired_certificates (serial, subject, cert_pem, revoked_ms, revoked_by)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (subject, serial) DO UPDATE SET revoked_ms = excluded.revoked_ms,
    revoked_by = excluded.revoked_by
