-- The schema registry: official ISO 20022 XSDs registered by the network's operator
-- (`finmesh schemas add`). One row per message definition; a definition's official
-- schema does not change, so a row is never rewritten (a different file for the same
-- definition is refused). The XSD is kept as text (official schemas are UTF-8).
CREATE TABLE IF NOT EXISTS message_schemas (
    definition TEXT PRIMARY KEY,
    sha256     TEXT NOT NULL,
    xsd        TEXT NOT NULL,
    added_ms   BIGINT NOT NULL,
    added_by   TEXT NOT NULL
);
