from mirix_desktop.cli import main

raise SystemExit(main())
