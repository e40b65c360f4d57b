"""The node's services and its composition root.

``intake`` (with ``intake_screening``) admits batches: parse, authorize, screen and
store, one verdict per message; ``delivery`` hands messages to receivers in OSN order
and produces notices; ``compliance`` holds the officers' actions (measures, licences,
holds, impact, audit); ``trust`` manages RMA and certificates; ``screening`` the
sanctions lists and good-guy exceptions. ``root.Node`` wires them over one store;
``launcher`` runs ``finmesh serve`` as a child process for tests and benchmarks.

Services speak the domain's values and the store's port; they know no HTTP.
"""
