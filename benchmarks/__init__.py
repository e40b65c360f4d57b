"""finmesh benchmark suite. Run from the project root: ``.venv/bin/python -m benchmarks``
(``--quick`` for a ~1 minute run). See benchmarks/README.md for what each number means.
"""
