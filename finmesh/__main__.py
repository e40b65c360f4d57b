from finmesh.cli import main

main()
