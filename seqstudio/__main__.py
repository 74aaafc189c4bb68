from seqstudio.cli.main import main

raise SystemExit(main())
