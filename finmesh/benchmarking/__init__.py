"""Measurement code behind ``finmesh bench`` and the ``benchmarks/`` suite.

Installed with finmesh, so ``finmesh bench intake`` works wherever finmesh is installed.
Every measurement runs against a real ``finmesh serve`` process on loopback, driven by
client processes; nothing here is used by the node itself.
"""
