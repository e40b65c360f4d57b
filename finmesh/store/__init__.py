"""State behind one narrow port (port.py): sqlite.py is the embedded default, postgres.py
serves several nodes on one database; both run the shared logic of sql_store.py."""
