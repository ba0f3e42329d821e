"""The bundle's entry point: the same command line as ``mirix-desktop``."""

from mirix_desktop.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
