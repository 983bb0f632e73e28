from cibuildwheel_like.cli.app import main

raise SystemExit(main())
