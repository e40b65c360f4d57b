"""The HTTP edge: translates requests to node service calls and results to HTTP, nothing
more. Every error is mapped to HTTP in one table (``errors.py``); ``app.py`` builds the
FastAPI application, ``server.py`` runs it under uvicorn."""
