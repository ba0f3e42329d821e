"""Files a reader can hold in mind: no source file over 500 lines, no class over 300."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*(ROOT / "agents").rglob("*.py"), *(ROOT / "mirix_desktop").rglob("*.py")])


def test_no_file_over_500_lines_and_no_class_over_300() -> None:
    assert len(SOURCES) > 50
    too_long = []
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(ROOT))
        if len(text.splitlines()) > 500:
            too_long.append(f"{name}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                lines = node.end_lineno - node.lineno + 1
                if lines > 300:
                    too_long.append(f"{name}: class {node.name}, {lines} lines")
    assert too_long == []
