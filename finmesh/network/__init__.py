"""Creating a network: its folder, CA, database and directory (``create``), and the demo
directory of 11,000+ institutions with its participants (``demo_directory``).

Offline set-up, run by ``finmesh init`` and the tests; the running node never calls it.
"""
