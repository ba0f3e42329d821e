"""Only the store opens LanceDB: no second writer with its own table names elsewhere."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports_lancedb(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        if any(name.split(".")[0] == "lancedb" for name in names):
            return True
    return False


def test_only_the_store_imports_lancedb() -> None:
    sources = sorted((ROOT / "agents").rglob("*.py")) + sorted(
        (ROOT / "mirix_desktop").rglob("*.py")
    )
    assert len(sources) > 50
    outside = [
        str(p.relative_to(ROOT))
        for p in sources
        if _imports_lancedb(p) and not p.is_relative_to(ROOT / "agents" / "store")
    ]
    assert outside == []
    assert _imports_lancedb(ROOT / "agents" / "store" / "tables.py")
