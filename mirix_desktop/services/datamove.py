"""Moving the data folder (screenshots, memories, the inbox) to another place.

Files are copied and checked before anything names the new folder; the settings
then name it; only after that are the old files removed. An interruption at any
point leaves one complete copy, and the settings name a complete copy. Nothing may
write to the data folder meanwhile: the app stops capture and absorption first.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from agents.errors import InvalidInput, StoreError
from mirix_desktop.config.paths import Paths
from mirix_desktop.config.settings import Settings, load_settings, save_settings

log = logging.getLogger(__name__)
DATA_DIR_ENV = "MIRIX_STORE__DATA_DIR"
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
    if os.environ.get(DATA_DIR_ENV):
        raise InvalidInput(
            f"{DATA_DIR_ENV} chooses the data folder; change or unset it instead of moving"
        )
    files = []
    total = 0
    if src.exists():
        for path in sorted(src.rglob("*")):
            rel = path.relative_to(src)
            if path.is_symlink():  # its target would be left behind, or copied twice
                raise InvalidInput(f"{path} is a symbolic link; move the data folder by hand")
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


@dataclass(frozen=True)
class MoveResult:
    settings: Settings  # now naming the new folder
    left_behind: tuple[str, ...]  # old files that could not be removed (the copy is complete)


def move_data(
    paths: Paths, plan: MovePlan, progress: Callable[[int, int], None] | None = None
) -> MoveResult:
    """Copy, check, point the settings at the new folder, then remove the old files.

    The files are listed again first: ``plan`` may be older than the moment writing
    stopped (a screenshot stored since, a database's side files gone when it closed).
    ``progress(bytes_done, bytes_total)`` is called as files are copied. Returns the
    settings now in effect. Raises StoreError when the copy does not match.
    """
    plan = plan_move(plan.source, plan.target)
    made_target = not plan.target.exists()
    try:
        done = 0
        for rel in plan.files:
            source, target = plan.source / rel, plan.target / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            done += source.stat().st_size
            if progress is not None:
                progress(done, plan.total_bytes)
        for rel in plan.files:
            copied, original = plan.target / rel, plan.source / rel
            if not copied.is_file() or copied.stat().st_size != original.stat().st_size:
                raise StoreError(f"the copy of {rel} in {plan.target} does not match")
    except BaseException:
        _remove_copy(plan, remove_root=made_target)  # so that the move can be tried again
        raise
    # The point of no return: from here the settings name a complete copy.
    settings = load_settings(paths, environ={})
    store = settings.store.model_copy(update={"data_dir": plan.target})
    save_settings(paths, settings.model_copy(update={"store": store}))
    left = []
    for rel in plan.files:
        try:
            (plan.source / rel).unlink(missing_ok=True)
        except OSError as exc:
            log.warning("could not remove %s after moving it: %s", plan.source / rel, exc)
            left.append(str(plan.source / rel))
    _remove_empty_folders(plan.source)
    log.info("moved %d files (%d bytes) to %s", len(plan.files), plan.total_bytes, plan.target)
    return MoveResult(load_settings(paths), tuple(left))


def _remove_copy(plan: MovePlan, *, remove_root: bool) -> None:
    for rel in plan.files:
        try:
            (plan.target / rel).unlink(missing_ok=True)
        except OSError:
            log.warning("could not remove the partial copy %s", plan.target / rel)
    _remove_empty_folders(plan.target)
    if remove_root:
        with contextlib.suppress(OSError):
            plan.target.rmdir()


def _remove_empty_folders(root: Path) -> None:
    for folder in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
            with contextlib.suppress(OSError):
                folder.rmdir()
