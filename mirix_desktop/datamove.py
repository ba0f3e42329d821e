"""Moving the data folder (screenshots, memories, the inbox) to another place.

Files are copied and checked before anything names the new folder; the settings
then name it; only after that are the old files removed. An interruption at any
point leaves one complete copy, and the settings name a complete copy. Nothing may
write to the data folder meanwhile: the app stops capture and absorption first.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import lancedb

from agents.errors import InvalidInput, StoreError
from mirix_desktop.paths import Paths
from mirix_desktop.settings import Settings, load_settings, save_settings

log = logging.getLogger(__name__)
LEFT_BEHIND = {"app.lock"}  # the running app's lock; the next start makes a new one
SKIPPED_DIRS = {"tmp"}  # screenshots taken for a question, not kept


@dataclass(frozen=True)
class MovePlan:
    source: Path
    target: Path
    files: tuple[Path, ...]  # relative to source
    total_bytes: int


def plan_move(source: Path, target: Path) -> MovePlan:
    """What moving ``source`` to ``target`` copies; raises InvalidInput where it cannot."""
    target = Path(target).expanduser()
    if not target.is_absolute():
        raise InvalidInput(f"{target} is not an absolute path")
    src, dst = source.resolve(), target.resolve()
    if dst == src:
        raise InvalidInput(f"{target} is already the data folder")
    if dst.is_relative_to(src) or src.is_relative_to(dst):
        raise InvalidInput("the new data folder cannot be inside the old one, nor contain it")
    if dst.exists() and (not dst.is_dir() or any(dst.iterdir())):
        raise InvalidInput(f"{target} is not empty; choose an empty or a new folder")
    files = []
    total = 0
    if src.exists():
        for path in sorted(src.rglob("*")):
            rel = path.relative_to(src)
            if not path.is_file() or path.name in LEFT_BEHIND or rel.parts[0] in SKIPPED_DIRS:
                continue
            files.append(rel)
            total += path.stat().st_size
    existing = dst
    while not existing.exists():
        existing = existing.parent
    free = shutil.disk_usage(existing).free
    if free < total + 64 * 1024 * 1024:
        raise InvalidInput(
            f"{target} has {free / 1e9:.1f} GB free; the data needs {total / 1e9:.1f} GB"
        )
    return MovePlan(source, target, tuple(files), total)


def move_data(
    paths: Paths, plan: MovePlan, progress: Callable[[int, int], None] | None = None
) -> Settings:
    """Copy, check, point the settings at the new folder, then remove the old files.

    The files are listed again first: ``plan`` may be older than the moment writing
    stopped (a screenshot stored since, a database's side files gone when it closed).
    ``progress(bytes_done, bytes_total)`` is called as files are copied. Returns the
    settings now in effect. Raises StoreError when the copy does not match.
    """
    plan = plan_move(plan.source, plan.target)
    done = 0
    for rel in plan.files:
        source, target = plan.source / rel, plan.target / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        done += source.stat().st_size
        if progress is not None:
            progress(done, plan.total_bytes)
    for rel in plan.files:
        copied = plan.target / rel
        if not copied.is_file() or copied.stat().st_size != (plan.source / rel).stat().st_size:
            raise StoreError(f"the copy of {rel} in {plan.target} does not match; nothing moved")
    _repoint_frames(plan)
    settings = load_settings(paths, environ={})
    store = settings.store.model_copy(update={"data_dir": plan.target})
    save_settings(paths, settings.model_copy(update={"store": store}))
    for rel in plan.files:
        (plan.source / rel).unlink(missing_ok=True)
    for folder in sorted(plan.source.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    log.info("moved %d files (%d bytes) to %s", len(plan.files), plan.total_bytes, plan.target)
    return load_settings(paths)


def _repoint_frames(plan: MovePlan) -> None:
    """Frame rows name their image files by absolute path: point them at the copies."""
    store_dir = plan.target / "memory.lance"
    if not store_dir.exists():
        return
    db = lancedb.connect(str(store_dir))
    if "frames" not in db.list_tables().tables:
        return
    table = db.open_table("frames")
    olds = {str(plan.source), str(plan.source.resolve())}
    for old in sorted(olds, key=len, reverse=True):
        new = str(plan.target)
        table.update(
            where=f"starts_with(image_path, {_sql(old + '/')})",
            values_sql={"image_path": f"replace(image_path, {_sql(old + '/')}, {_sql(new + '/')})"},
        )


def _sql(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
