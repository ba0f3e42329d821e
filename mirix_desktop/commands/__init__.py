"""The commands of ``mirix-desktop``, by what they do; :mod:`mirix_desktop.cli` parses
the command line, runs one of them and turns their errors into one line and an exit code."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from agents.errors import InvalidInput

EXIT_ERROR = 1
EXIT_USAGE = 2


def read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """Open ``path`` now (raising InvalidInput) and return an iterator of
    (line number, object, error) for each non-blank line."""
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        raise InvalidInput(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder, not a file") from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}") from None
    return _parse_lines(path, fh)


def _parse_lines(
    path: Path, fh: BinaryIO
) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """Each line on its own: one that is not UTF-8 or not a JSON object is reported, the
    rest are read."""
    from agents.importers.jsonl import parse_lines

    with fh:
        yield from parse_lines(iter(fh))
