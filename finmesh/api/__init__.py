"""The HTTP edge: translates requests to node calls and results to HTTP, nothing more."""
