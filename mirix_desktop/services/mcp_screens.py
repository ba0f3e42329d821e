"""What the MCP tools show of the screen: activity in a time range, recent context and
screenshots (painted where they show what may not leave), and the redactor every tool's
text passes. A part of :class:`mirix_desktop.services.mcp_server.MemoryTools`."""

from __future__ import annotations

import io
import logging
from datetime import datetime, timedelta
from typing import Any

from agents.errors import InvalidInput
from agents.privacy import SEALED_MARK, Redactor, detect
from agents.store import MemoryType
from agents.store.schema import READABLE_SENSITIVITIES, VaultData
from agents.store.timeutil import as_utc, now
from agents.timeread import parse_bound
from mirix_desktop.services.context import Context

log = logging.getLogger(__name__)

MAX_RANGE = timedelta(days=31)
MAX_FRAMES_LISTED = 5000
SNIPPET_CHARS = 400


# ---- what may leave -------------------------------------------------------------------


def may_share(share: bool, sensitivity: str) -> bool:
    """Whether a vault value of ``sensitivity`` may leave: high ones never, the others
    only where ``mcp.share_vault_values`` is on."""
    return share and sensitivity in READABLE_SENSITIVITIES


def _snippet(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1] + "…"


class _NothingFound(Exception):
    """A frame's text holds a sealed value, but OCR found no line that shows it now."""


class ScreenTools:
    """The screen's side of the tools, on ``ctx``."""

    ctx: Context

    @property
    def paused(self) -> bool:
        return self.ctx.paths.pause_flag.exists()

    @property
    def share(self) -> bool:
        return self.ctx.settings.mcp.share_vault_values

    def redactor(self) -> Redactor:
        """Masks the vault's values that may not leave, every high value found in a text,
        and contact values (e-mail, phone) unless sharing is on; times and the
        program's own masked references pass as they are."""
        vault = self.ctx.store.list_memories(MemoryType.KNOWLEDGE_VAULT, limit=1_000_000)
        withheld = [
            (m.data.secret_value, m.data.entry_type or "value")
            for m in vault
            if isinstance(m.data, VaultData) and not may_share(self.share, m.data.sensitivity)
        ]
        return Redactor(withheld, mask_contacts=not self.share)

    def list_activity(
        self, since: str, until: str | None = None, *, app: str | None = None
    ) -> dict[str, Any]:
        start = parse_bound(since, end=False)
        end = parse_bound(until, end=True) if until else now()
        if start >= end:
            raise InvalidInput("since must be before until")
        if end - start > MAX_RANGE:
            raise InvalidInput(f"the range is longer than {MAX_RANGE.days} days; ask for less")
        return self._activity(start, end, snippets=False, app=app)

    def recent_context(self, minutes: int = 15, *, app: str | None = None) -> dict[str, Any]:
        end = now()
        out = self._activity(end - timedelta(minutes=minutes), end, snippets=True, app=app)
        from mirix_desktop.pipeline.capture.loop import pause_state

        state = pause_state(self.ctx.paths.pause_flag)
        out["capture_paused"] = state["paused"]
        if state["paused"]:
            out["capture_paused_by"] = state["by"]
            out["capture_paused_since"] = state["since"]
        return out

    def _activity(
        self, start: datetime, end: datetime, *, snippets: bool, app: str | None = None
    ) -> dict[str, Any]:
        """Frames grouped by app and window, and the episodic events; with ``app`` (any
        case) only that app's frames, and the events made from them or filed under it."""
        frames = self.ctx.store.frames_between(start, end, latest=MAX_FRAMES_LISTED + 1)
        truncated = len(frames) > MAX_FRAMES_LISTED
        frames = frames[-MAX_FRAMES_LISTED:]
        if app:
            wanted = app.strip().casefold()
            frames = [f for f in frames if f.app.casefold() == wanted]
        redactor = self.redactor()
        groups: dict[tuple[str, str], dict[str, Any]] = {}
        for f in frames:
            key = (f.app, f.window_title)
            g = groups.get(key)
            if g is None:
                g = groups[key] = {
                    "app": f.app,
                    "window_title": redactor.text(f.window_title),
                    "first_seen": as_utc(f.captured_at).isoformat(),
                    "frames": 0,
                    "frame_ids": [],
                }
            g["frames"] += 1
            g["last_seen"] = as_utc(f.captured_at).isoformat()
            g["frame_ids"] = ([*g["frame_ids"], f.id])[-5:]  # the latest few
            if snippets and f.ocr_text.strip():
                g["latest_text"] = redactor.text(_snippet(f.ocr_text))
        events = self.ctx.store.memories_between(MemoryType.EPISODIC, start, end, limit=50)
        if app:
            shown = {f.id for f in frames}
            events = [
                m
                for m in events
                if (m.app or "").casefold() == wanted or shown.intersection(m.source_ids)
            ]
        return {
            "since": start.isoformat(),
            "until": end.isoformat(),
            "frames": len(frames),
            "truncated": truncated,
            "groups": sorted(groups.values(), key=lambda g: g["first_seen"]),
            "events": [
                {
                    "id": m.id,
                    "time": as_utc(m.time).isoformat(),
                    "text": redactor.text(m.text),
                    "source_ids": m.source_ids,
                }
                for m in sorted(events, key=lambda m: m.time)
            ],
        }

    def get_screenshot(
        self, frame_id: str, *, max_side: int | None = None
    ) -> tuple[dict[str, Any], bytes | None]:
        """The frame's details and its image as JPEG (None when it is withheld or gone)."""
        frame = self.ctx.store.frame(frame_id.strip())
        redactor = self.redactor()
        text = redactor.text(frame.ocr_text)
        title = redactor.text(frame.window_title)
        info: dict[str, Any] = {
            "id": frame.id,
            "captured_at": as_utc(frame.captured_at).isoformat(),
            "app": frame.app,
            "window_title": title,
            "width": frame.width,
            "height": frame.height,
            "ocr_text": text,
        }
        # The stored image has the lines of sealed values painted over; it is painted
        # again here (read anew) so that an image stored before painting existed, and
        # contact values where sharing is off, never leave either.
        contacts = redactor.mask_contacts and any(not f.high for f in detect(frame.ocr_text))
        repaint = SEALED_MARK in frame.ocr_text or contacts
        side = min(
            max_side or self.ctx.settings.mcp.max_image_side, self.ctx.settings.mcp.max_image_side
        )
        sealed = SEALED_MARK in frame.ocr_text
        try:
            data = self._image(
                frame.image_path, side, repaint=repaint, contacts=contacts, sealed=sealed
            )
        except _NothingFound:
            info["image"] = "withheld: the lines that show a sealed value could not be found"
            return info, None
        except OSError as exc:
            log.warning("cannot read the image of %s: %s", frame.id, exc)
            info["image"] = "missing: the image file is gone (retention or forget)"
            return info, None
        except Exception as exc:  # noqa: BLE001 - unreadable for OCR: fail closed
            log.warning("cannot paint the image of %s: %s", frame.id, exc)
            info["image"] = "withheld: the screenshot could not be checked for sealed values"
            return info, None
        info["image"] = "attached (JPEG)"
        return info, data

    def _image(
        self, path: str, side: int, *, repaint: bool, contacts: bool, sealed: bool = False
    ) -> bytes:
        """The image as JPEG no larger than ``side``, with what may not leave painted."""
        from PIL import Image

        with Image.open(path) as opened:
            image = opened.convert("RGB")
        if repaint:
            from mirix_desktop.pipeline.capture.ocr import Ocr
            from mirix_desktop.pipeline.capture.paint import boxes_to_paint, paint

            lines = Ocr(self.ctx.settings.capture.ocr_engine).read(image)
            boxes = boxes_to_paint(lines, contacts=contacts)
            if sealed and not boxes_to_paint(lines):
                raise _NothingFound  # the text says a value is shown: fail closed
            image = paint(image, boxes)
        image.thumbnail((side, side))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=85)
        return buffer.getvalue()
