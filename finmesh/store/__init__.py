"""State behind one narrow port (``port.py``): ``sqlite.py`` is the embedded default,
``postgres.py`` serves several nodes on one database; both run the shared logic of
``sql_store.py`` with schema, migrations and named queries as data in ``sql/``.

The store keeps and returns state; it never decides policy (the node's services and the
domain do) and imports nothing from the node, the HTTP edge or the CLI."""
