"""finmesh: an open financial messaging network for signed ISO 20022 messages.

The parts, one folder each (docs/architecture.md draws which may import which):

- ``domain/``   the pure domain: values and rules, no I/O;
- ``identity/`` identity and trust: the network CA, certificates, keys, request and
  message signatures, participant profiles;
- ``store/``    state behind one narrow port (SQLite embedded, PostgreSQL for many nodes);
- ``node/``     the node's services (intake, delivery, compliance, trust, screening) and
  the composition root that wires them over a store;
- ``network/``  creating a network folder and its demo data;
- ``sanctions/`` readers of published sanctions list files;
- ``api/``      the HTTP edge over the node's services;
- ``client/``   the institutions' SDK (HTTP only; imports no server code);
- ``cli/``      the ``finmesh`` command line.
"""

__version__ = "0.1.0"
