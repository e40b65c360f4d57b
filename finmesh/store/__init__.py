"""State behind one narrow port (port.py); sqlite.py is the embedded default."""
