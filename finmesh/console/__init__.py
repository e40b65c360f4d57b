"""The operator web console, served by the node at /console: server-rendered pages (no
script, every asset from this package) that call the same node services as the
operator API, with sign-in by an operator's sign-in code, expiring signed sessions and
a CSRF token on every form."""
