-- The ISO 20022 translation of each message an institution submitted as FIN (MT): the
-- message row keeps the FIN bytes exactly as signed; intake, routing, measures and
-- screening worked on this translation, and receivers of ISO 20022 get it.
CREATE TABLE IF NOT EXISTS translations (
    message_id INTEGER PRIMARY KEY REFERENCES messages (id),
    mx         BLOB NOT NULL
);
