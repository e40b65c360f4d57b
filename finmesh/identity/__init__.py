"""Identity and trust: the network CA and the certificates it issues (``ca``, ``pki``),
keys and passphrases at rest (``keystore``), signed requests (``request_auth``) and
message signatures, and an institution's profile folder (``profile``).

Shared by both sides of the wire: the node uses it to authenticate, the SDK to sign.
It imports the pure domain only; never the store, the node, the HTTP edge or the CLI.
"""
