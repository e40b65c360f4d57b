"""The institutions' SDK: sign, submit, receive, verify and acknowledge messages over
the node's HTTP API, with failover between nodes.

It talks to a node only over HTTP and imports no server code (no FastAPI, uvicorn,
psycopg, store or node services): a bank's gateway installs it without the network.
Its dependencies are the pure domain (to read the messages it sends and receives) and
the identity layer (its key, certificate and signatures)::

    from finmesh.client import Client
    with Client.from_profile("net/participants/DEUTDEFFXXX") as bank:
        results = bank.send([payload_bytes])
"""

from finmesh.client.session import ApiError, Client, NodeUnreachable, node_urls

__all__ = ["ApiError", "Client", "NodeUnreachable", "node_urls"]
