from cibuildwheel_like.cli import main

raise SystemExit(main())
