-- Named queries of the sanctions tables (migration 0003_sanctions.sql). Each starts with
-- "-- name: NAME"; placeholders are "?"; portable between SQLite and PostgreSQL.

-- name: get_counter
SELECT counter_value FROM screening_counters WHERE name = ?

-- name: bump_counter
INSERT INTO screening_counters (name, counter_value) VALUES (?, 1)
ON CONFLICT (name) DO UPDATE SET counter_value = screening_counters.counter_value + 1
RETURNING counter_value

-- name: last_version_no
SELECT coalesce(max(version_no), 0) FROM sanction_list_versions WHERE list_name = ?

-- name: insert_version
INSERT INTO sanction_list_versions (list_name, version_no, label, digest, entry_count,
    list_format, loaded_ms, loaded_by)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)

-- name: insert_entry
INSERT INTO sanction_entries (list_name, version_no, entry_id, entry_json) VALUES (?, ?, ?, ?)

-- name: all_versions
SELECT list_name, version_no, label, digest, entry_count, list_format, loaded_ms, loaded_by
FROM sanction_list_versions ORDER BY list_name, version_no

-- name: active_versions
SELECT v.list_name, v.version_no, v.label, v.digest, v.entry_count, v.list_format,
       v.loaded_ms, v.loaded_by
FROM sanction_list_versions v
WHERE v.version_no = (SELECT max(w.version_no) FROM sanction_list_versions w
                      WHERE w.list_name = v.list_name)
ORDER BY v.list_name

-- name: version_entries
SELECT entry_json FROM sanction_entries WHERE list_name = ? AND version_no = ?
ORDER BY entry_id

-- name: all_good_guys
SELECT id, list_name, entry_id, cleared_for, reason, expires_ms, proposed_by, proposed_ms,
       approved_by, approved_ms, withdrawn_by, withdrawn_ms
FROM good_guys ORDER BY proposed_ms, id

-- name: good_guy
SELECT id, list_name, entry_id, cleared_for, reason, expires_ms, proposed_by, proposed_ms,
       approved_by, approved_ms, withdrawn_by, withdrawn_ms
FROM good_guys WHERE id = ?

-- name: upsert_good_guy
INSERT INTO good_guys (id, list_name, entry_id, cleared_for, reason, expires_ms, proposed_by,
    proposed_ms, approved_by, approved_ms, withdrawn_by, withdrawn_ms)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET approved_by = excluded.approved_by,
    approved_ms = excluded.approved_ms, withdrawn_by = excluded.withdrawn_by,
    withdrawn_ms = excluded.withdrawn_ms

-- name: insert_result
INSERT INTO screening_results (sender, biz_msg_id, decision, versions, hits, screened_ms)
VALUES (?, ?, ?, ?, ?, ?)

-- name: result
SELECT decision, versions, hits, screened_ms FROM screening_results
WHERE sender = ? AND biz_msg_id = ?

-- The screening memo (migration 0007_screening_memo.sql)

-- name: memo_insert
INSERT INTO screening_memo (scope, query_key, hits, stored_ms) VALUES (?, ?, ?, ?)
ON CONFLICT (scope, query_key) DO NOTHING

-- name: memo_recall
-- "IN (?)" is widened to one placeholder per key (queries.in_list)
SELECT query_key, hits FROM screening_memo WHERE scope = ? AND query_key IN (?)

-- name: memo_trim
DELETE FROM screening_memo WHERE id <= (SELECT max(id) FROM screening_memo) - ?

-- name: memo_forget
DELETE FROM screening_memo WHERE scope <> ?
