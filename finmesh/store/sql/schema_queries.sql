-- Named queries of the schema registry (migration 0004_schemas.sql). Each starts with
-- "-- name: NAME"; placeholders are "?"; portable between SQLite and PostgreSQL.

-- name: get_schema
SELECT definition, sha256, xsd, added_ms, added_by FROM message_schemas WHERE definition = ?

-- name: all_schemas
SELECT definition, sha256, length(xsd), added_ms, added_by FROM message_schemas
ORDER BY definition

-- name: insert_schema
INSERT INTO message_schemas (definition, sha256, xsd, added_ms, added_by) VALUES (?, ?, ?, ?, ?)
