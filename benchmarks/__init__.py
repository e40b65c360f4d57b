"""finmesh benchmark suite. Run from the project root: ``.venv/bin/python -m benchmarks``
(``--quick`` for a few minutes). See benchmarks/README.md for what each number means.
"""
