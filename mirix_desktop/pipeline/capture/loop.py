"""The capture loop: active window, visible windows, screen grab, privacy mask, change gate,
frame store, inbox."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from agents.store.timeutil import now
from mirix_desktop.pipeline.capture.desktop import NoWindows, VisibleWindow, WindowLister
from mirix_desktop.pipeline.capture.frames import FrameStore
from mirix_desktop.pipeline.capture.gate import ChangeGate, samples_from_bgra
from mirix_desktop.pipeline.capture.mask import Layout, hide_samples, layout, paint
from mirix_desktop.pipeline.capture.privacy import PrivacyFilter
from mirix_desktop.pipeline.capture.window import WindowProbe
from mirix_desktop.pipeline.capture.worker import queue_for_ocr
from mirix_desktop.pipeline.inbox import Inbox

log = logging.getLogger(__name__)


@dataclass
class CaptureStats:
    counts: Counter[str] = field(default_factory=Counter)
    last_error: str | None = None
    # Milliseconds of the recent rounds spent grabbing and gating (storage excluded).
    grab_gate_ms: deque[float] = field(default_factory=lambda: deque(maxlen=1000))


class Capturer:
    """Takes one round of screenshots at a time; safe to call from a scheduler thread."""

    def __init__(
        self,
        frames: FrameStore,
        inbox: Inbox,
        probe: WindowProbe,
        privacy: PrivacyFilter,
        *,
        lister: WindowLister | None = None,
        monitors: str = "all",
        threshold: float = 0.002,
        keyframe_s: float = 600.0,
    ) -> None:
        self.frames = frames
        self.inbox = inbox
        self.probe = probe
        self.privacy = privacy
        self.lister: WindowLister = lister if lister is not None else NoWindows()
        self.window_list_readable: bool | None = None  # None: not tried yet
        self.monitors = monitors
        self._threshold = threshold
        self._keyframe_s = keyframe_s
        self._gates: dict[int, ChangeGate] = {}
        self._lock = threading.Lock()
        self._local = threading.local()
        self.pause_flag: Path | None = None  # a file whose presence pauses capture
        self.stats = CaptureStats()

    def _gate(self, monitor: int) -> ChangeGate:
        if monitor not in self._gates:
            self._gates[monitor] = ChangeGate(
                threshold=self._threshold, keyframe_s=self._keyframe_s
            )
        return self._gates[monitor]

    def _grab(self) -> list[tuple[int, Any]]:
        """Raw screenshots of the chosen monitors, with one screen connection per thread."""
        import mss

        sct = getattr(self._local, "sct", None)
        if sct is None:
            factory = getattr(mss, "MSS", None) or mss.mss
            sct = self._local.sct = factory()
        monitors: list[Any] = sct.monitors[1:] if self.monitors == "all" else sct.monitors[1:2]
        return [(number, sct.grab(mon)) for number, mon in enumerate(monitors, 1)]

    @property
    def paused(self) -> bool:
        return self.pause_flag is not None and self.pause_flag.exists()

    def set_paused(self, paused: bool, *, by: str = "") -> None:
        """Pause or resume; the flag is a file, so every process sees it. It says ``by``
        whom and when it was paused (``doctor`` shows it)."""
        if self.pause_flag is None:
            raise RuntimeError("this capturer has no pause flag")
        if paused:
            self.pause_flag.parent.mkdir(parents=True, exist_ok=True)
            note = {"by": by or "unknown", "since": now().isoformat()}
            self.pause_flag.write_text(json.dumps(note), encoding="utf-8")
        else:
            self.pause_flag.unlink(missing_ok=True)

    def capture_once(self) -> list[str]:
        """One round; returns what happened per monitor ("stored", "unchanged", "excluded", ...).

        With the list of visible windows, the areas of excluded windows and of this
        program's own are painted over in the raw buffer before the gate, the encoder, OCR
        and CLIP see it, and changes in panels do not count. Where no list can be read,
        only the focused window is checked, as before; a list that was read before and
        fails now skips the round ("unlisted"). A focused excluded window always skips the
        round ("excluded"), since its app and title would be recorded with the frame.
        """
        with self._lock:
            if self.paused:
                self.stats.counts["paused"] += 1
                return ["paused"]
            window = self.probe.active()
            if self.privacy.excluded(window):
                self.stats.counts["excluded"] += 1
                return ["excluded"]
            started = time.perf_counter()
            before = self.lister.windows()
            shots = self._grab()
            # The windows may have changed during the grab: look again before anything is kept.
            after = self.probe.active()
            if after != window and self.privacy.excluded(after):
                self.stats.counts["excluded"] += 1
                return ["excluded"]
            listed = self.lister.windows() if before is not None else None
            if listed is None and self.window_list_readable:
                # The list was read before: a failure now must not let hidden windows through.
                self.stats.counts["unlisted"] += 1
                return ["unlisted"]
            self.window_list_readable = listed is not None
            snapshots = [before, listed] if before is not None and listed is not None else []
            outcomes = []
            taken = now()
            planned = []
            for monitor, shot in shots:
                gate = self._gate(monitor)
                plan = layout(snapshots, self._hides, (shot.left, shot.top), shot.size)
                # the raw buffer itself: ``bgra`` would copy 5.8 MB (3 ms) for every round
                samples = samples_from_bgra(shot.raw, shot.width, shot.height, gate.step)
                sampled = plan.hidden_every(gate.step)
                if sampled is not None:
                    hide_samples(samples, sampled)
                decision = gate.check_samples(samples, shot.size, time.monotonic(), plan.docks)
                planned.append((monitor, shot, plan, decision))
            self.stats.grab_gate_ms.append((time.perf_counter() - started) * 1000)
            for monitor, shot, plan, decision in planned:
                if not decision.keep:
                    outcomes.append("unchanged")
                    continue
                image = _painted(shot, plan)
                box = list(decision.changed_box) if decision.changed_box else None

                try:
                    self.frames.save(
                        image,
                        captured_at=taken,
                        monitor=monitor,
                        app=window.app,
                        window_title=window.title,
                        focus_box=plan.focus,
                        before_row=queue_for_ocr(self.inbox, box),
                    )
                except BaseException:
                    # Not stored (a full disk, say): the gate must not take this screen as
                    # seen, or it is skipped as unchanged once writing works again.
                    self._gates.pop(monitor, None)
                    raise
                outcomes.append("stored")
            self.stats.counts.update(outcomes)
            return outcomes

    def screen_now(self) -> Image.Image | None:
        """The screen now, for a question about it: the chosen monitors side by side, with
        excluded windows and this program's own painted over as in a stored frame. None
        when the focused window is excluded, or the window list cannot be read although
        it could before (hidden windows would show)."""
        with self._lock:
            if self.privacy.excluded(self.probe.active()):
                return None
            before = self.lister.windows()
            shots = self._grab()
            listed = self.lister.windows() if before is not None else None
            if listed is None and self.window_list_readable:
                return None
            snapshots = [before, listed] if before is not None and listed is not None else []
            left = min(shot.left for _, shot in shots)
            top = min(shot.top for _, shot in shots)
            width = max(shot.left + shot.width for _, shot in shots) - left
            height = max(shot.top + shot.height for _, shot in shots) - top
            screen = Image.new("RGB", (width, height))
            for _, shot in shots:
                plan = layout(snapshots, self._hides, (shot.left, shot.top), shot.size)
                screen.paste(_painted(shot, plan), (shot.left - left, shot.top - top))
            return screen

    def _hides(self, window: VisibleWindow) -> bool:
        return self.privacy.hides(window, window.pid)


def _painted(shot: Any, plan: Layout) -> Image.Image:
    """The RGB image of a raw screenshot, its hidden windows painted over before the
    image exists."""
    raw: Any = shot.bgra
    if plan.hidden is not None:
        raw = paint(raw, shot.width, shot.height, plan.hidden)
    return Image.frombuffer("RGB", shot.size, raw, "raw", "BGRX", 0, 1)


def pause_state(flag: Path) -> dict[str, Any]:
    """Whether the flag pauses capture, by whom and since when (a flag written before
    it said so: "unknown", since the file's time)."""
    try:
        text = flag.read_text(encoding="utf-8")
        stamp = flag.stat().st_mtime
    except FileNotFoundError:
        return {"paused": False, "by": None, "since": None, "flag": str(flag)}
    try:
        note = json.loads(text) if text.strip() else {}
    except ValueError:
        note = {}
    if not isinstance(note, dict):
        note = {}
    from datetime import UTC, datetime

    since = note.get("since") or datetime.fromtimestamp(stamp, UTC).isoformat()
    return {
        "paused": True,
        "by": str(note.get("by") or "unknown"),
        "since": since,
        "flag": str(flag),
    }
