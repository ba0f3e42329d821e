"""The commands of ``mirix-desktop``, by what they do; :mod:`mirix_desktop.cli` parses
the command line, runs one of them and turns their errors into one line and an exit code."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from agents.errors import InvalidInput

EXIT_ERROR = 1
EXIT_USAGE = 2
MAX_QUESTION_CHARS = 4000


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
    with fh:
        for number, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield number, None, f"not UTF-8 text (byte {exc.start + 1} of the line)"
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, None, f"not JSON ({exc.msg})"
                continue
            if not isinstance(obj, dict):
                yield number, None, "not a JSON object"
                continue
            try:  # a lone surrogate ("\\ud800") is valid JSON but no text can hold it
                json.dumps(obj, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError as exc:
                char = exc.object[exc.start : exc.end].encode("unicode_escape").decode("ascii")
                yield number, None, f"a lone surrogate ({char}) that no text can hold"
                continue
            yield number, obj, None
