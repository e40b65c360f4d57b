"""finmesh: an open financial messaging network for signed ISO 20022 messages."""

__version__ = "0.1.0"
