"""Screenshots of the desktop app for the docs, taken under Xvfb with a tray host.

    Xvfb :55 -screen 0 1600x1000x24 -nolisten tcp &
    DISPLAY=:55 trayer --edge top --align right --widthtype request --height 28 &
    DISPLAY=:55 .venv/bin/python docs/take_screenshots.py [--out docs] [--home DIR]

Fills a fresh home (a temporary folder unless --home) with a week of demo
screenshots and memories, starts the app's controller on it, and writes
tray-menu.png, chat.png (an offline answer with its sources), memory-browser.png,
vault.png, memory-viewer.png, timeline.png, frame-viewer.png, activity.png,
settings.png and first-run.png. Full-text search only: no model is loaded or
downloaded.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

APPS = {
    "firefox": ("#e66000", ["Flights to Lisbon — Booking", "Inbox (3) — Mail", "Weather Lisbon"]),
    "code": ("#1f6feb", ["absorb.py — mirix", "timeline.py — mirix", "README.md — mirix"]),
    "slack": ("#4a154b", ["#team — Slack", "Anna — Slack"]),
    "libreoffice": ("#18a303", ["Budget 2026.ods", "Trip plan.odt"]),
    "evince": ("#6b6b6b", ["passport-renewal.pdf"]),
}
LINES = {
    "firefox": ["Lisbon (LIS) · Fri 12 June", "LX 318 departs 07:05", "Seat 14A · 1 bag"],
    "code": [
        "def absorb(batch):",
        "    items = load_items(store, batch)",
        "    return absorber.absorb",
    ],
    "slack": ["Anna: lunch on Thursday?", "Ben: the demo is at 3 pm", "You: sounds good"],
    "libreoffice": ["Rent 1,250.00", "Groceries 420.00", "Travel 610.00"],
    "evince": ["Passport renewal", "1. Book an appointment", "2. Bring a photo 35x45 mm"],
}


def demo_image(app: str, title: str, when: datetime, number: int) -> object:
    from PIL import Image, ImageDraw, ImageFont

    colour, _ = APPS[app]
    image = Image.new("RGB", (960, 540), "#f4f5f7")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 960, 44), fill=colour)
    big = ImageFont.load_default(size=22)
    small = ImageFont.load_default(size=18)
    draw.text((16, 10), title, fill="white", font=big)
    draw.rectangle((24, 70, 936, 516), fill="white", outline="#d0d4da")
    for i, line in enumerate(LINES[app]):
        draw.text((48, 96 + 44 * i), line, fill="#1f2328", font=big)
    draw.text((48, 470), f"{when:%A %H:%M} · #{number}", fill="#8a9099", font=small)
    return image


def fill_home(ctx: object) -> None:
    """A week of screenshots (a few apps a day) and some memories of every type."""
    from agents.store.timeutil import now
    from mirix_desktop.pipeline.capture.frames import FrameStore

    store = ctx.store
    frames = FrameStore(ctx.paths.frames_dir, store, quality=60)
    rng = random.Random(7)
    today = date.today()
    stored: list[tuple[str, str]] = []  # (frame id, window title)
    number = 0
    for back in range(6, -1, -1):
        day = today - timedelta(days=back)
        start = datetime(day.year, day.month, day.day, 9, 0).astimezone()
        moment = start
        end = start + timedelta(hours=rng.uniform(3.0, 6.0))
        if back == 0:
            end = min(end, datetime.now().astimezone() - timedelta(minutes=1))
        while moment < end:
            app = rng.choices(list(APPS), weights=[5, 4, 2, 2, 1])[0]
            title = rng.choice(APPS[app][1])
            for _ in range(rng.randint(2, 6)):
                if moment >= end:
                    break
                number += 1
                text = "\n".join(LINES[app])
                frame = frames.save(
                    demo_image(app, title, moment, number),
                    captured_at=moment,
                    monitor=1,
                    app=app,
                    window_title=title,
                    ocr_text=f"{title}\n{text}",
                )
                stored.append((frame.id, title))
                moment += timedelta(seconds=rng.uniform(60, 280))
            if rng.random() < 0.15:
                moment += timedelta(minutes=rng.uniform(20, 60))  # a break
    print(f"stored {len(stored)} demo screenshots", file=sys.stderr)
    titles = [title for _, names in APPS.values() for title in names]
    last_of = {t: [fid for fid, seen in stored if seen == t][-2:] for t in titles}
    store.add(
        "core",
        {"label": "human", "value": "Name: Ana. Lives in Lisbon. Works on mirix. Flies TAP."},
    )
    store.add("core", {"label": "persona", "value": "A careful, private memory assistant."})
    events = [  # each made from the screenshots of its window
        ("Booked the flight to Lisbon, LX 318 on 12 June", "firefox", "booking", 0),
        ("Reviewed the absorb step in absorb.py", "code", "coding", 0),
        ("Agreed on lunch with Anna on Thursday", "slack", "conversation", 1),
        ("Updated the 2026 budget: travel 610.00", "libreoffice", "editing", 0),
        ("Read the passport renewal instructions", "evince", "reading", 0),
    ]
    for i, (summary, app, kind, window) in enumerate(events):
        store.add(
            "episodic",
            {
                "occurred_at": now() - timedelta(hours=5 * i + 1),
                "event_type": kind,
                "summary": summary,
                "details": f"Seen in {app}.",
            },
            source_ids=last_of[APPS[app][1][window]],
            app=app,
        )
    store.add(
        "semantic",
        {"name": "Anna", "summary": "Anna is a colleague; lunch on Thursdays", "source": "slack"},
    )
    store.add("semantic", {"name": "LX 318", "summary": "Flight Zurich to Lisbon at 07:05"})
    store.add(
        "procedural",
        {
            "entry_type": "guide",
            "summary": "Renew the passport",
            "steps": ["Book an appointment", "Bring a photo 35x45 mm", "Pay the fee"],
        },
        source_ids=last_of["passport-renewal.pdf"],
    )
    store.add(
        "resource",
        {"title": "passport-renewal.pdf", "summary": "How to renew a passport", "content": "…"},
    )
    store.add(
        "knowledge_vault",
        {
            "entry_type": "account",
            "source": "libreoffice",
            "sensitivity": "medium",
            "secret_value": "PT50 0002 0123 1234 5678 9015 4",
            "caption": "Salary account IBAN",
        },
    )
    store.add(
        "knowledge_vault",
        {"entry_type": "credential", "secret_value": "correct horse", "caption": "Wi-Fi password"},
    )


class Shooter:
    """Runs the steps one after another on the event loop, each when the app is ready."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.steps: list[Callable[[], None]] = []

    def save(self, widget: object, name: str) -> None:
        pixmap = widget.grab()
        pixmap.save(str(self.out / name))
        print(f"wrote {self.out / name} ({pixmap.width()}x{pixmap.height()})", file=sys.stderr)

    def save_screen(self, name: str, crop: tuple[int, int, int, int] | None = None) -> None:
        from PySide6.QtGui import QGuiApplication

        screen = QGuiApplication.primaryScreen()
        pixmap = screen.grabWindow(0)
        if crop is not None:
            pixmap = pixmap.copy(*crop)
        pixmap.save(str(self.out / name))
        print(f"wrote {self.out / name} ({pixmap.width()}x{pixmap.height()})", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).resolve().parent))
    parser.add_argument("--home", help="a home to fill (default: a new temporary folder)")
    args = parser.parse_args(argv)
    if not os.environ.get("DISPLAY"):
        print("needs an X display (Xvfb with trayer, see the docstring)", file=sys.stderr)
        return 2
    home = Path(args.home) if args.home else Path(tempfile.mkdtemp(prefix="mirix-shots-"))
    os.environ["MIRIX_HOME"] = str(home)
    os.environ.setdefault("MIRIX_SECRETS__BACKEND", "file")
    os.environ["MIRIX_MODELS__TEXT_EMBEDDER"] = "none"
    os.environ["MIRIX_MODELS__CLIP_PROVIDER"] = "none"
    os.environ["MIRIX_CAPTURE__INTERVAL_S"] = "3600"  # the demo data, not this screen
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from PySide6.QtCore import QPoint, QTimer

    from agents.store import MemoryType
    from mirix_desktop.config.consent import has_consent, record_consent
    from mirix_desktop.services.context import open_context
    from mirix_desktop.ui.app import application
    from mirix_desktop.ui.controller import AppController
    from mirix_desktop.ui.firstrun import FirstRunDialog

    app = application()
    app.setStyle("Fusion")
    ctx = open_context()
    if not ctx.store.counts()["frames"]:
        fill_home(ctx)
    first_run_needed = not has_consent(ctx.paths)
    record_consent(ctx.paths)
    controller = AppController(ctx, status_interval_ms=1000)
    shooter = Shooter(out)
    window = controller.window
    queue: list[tuple[int, Callable[[], None]]] = []

    def then(delay_ms: int, step: Callable[[], None]) -> None:
        queue.append((delay_ms, step))

    def run_next() -> None:
        if not queue:
            controller.shutdown()
            app.quit()
            return
        delay, step = queue.pop(0)

        def go() -> None:
            step()
            run_next()

        QTimer.singleShot(delay, go)

    def tray_menu() -> None:
        menu = controller.tray.menu
        geometry = controller.tray.icon.geometry()
        screen = app.primaryScreen().geometry()
        anchor = geometry.bottomLeft() if geometry.isValid() else QPoint(screen.width() - 40, 28)
        menu.popup(QPoint(min(anchor.x(), screen.width() - menu.sizeHint().width()), anchor.y()))

    def shot_tray() -> None:
        menu = controller.tray.menu
        g = menu.geometry()
        screen = app.primaryScreen().geometry()
        left = max(0, g.left() - 240)
        shooter.save_screen("tray-menu.png", (left, 0, screen.width() - left, g.bottom() + 16))
        menu.hide()

    def chat() -> None:
        window.resize(1280, 800)
        window.show_page("Chat")
        window.bring_forward()
        controller.chat.input.setText("when does my flight to Lisbon leave?")
        controller.chat.ask_button.click()

    def memories() -> None:
        window.resize(1280, 800)
        window.show_page("Memories")
        window.bring_forward()
        window.memories.tabs.setCurrentWidget(window.memories.page(MemoryType.EPISODIC))

    def vault() -> None:
        page = window.memories.page(MemoryType.KNOWLEDGE_VAULT)
        window.memories.tabs.setCurrentWidget(page)

    def vault_reveal() -> None:
        page = window.memories.page(MemoryType.KNOWLEDGE_VAULT)
        if page.list.topLevelItemCount() > 1:
            page.list.setCurrentItem(page.list.topLevelItem(1))
            page.reveal_button.click()

    viewers: dict[str, object] = {}

    def memory_viewer() -> None:
        page = window.memories.page(MemoryType.EPISODIC)
        window.memories.tabs.setCurrentWidget(page)
        if page.list.topLevelItemCount():
            page.list.setCurrentItem(page.list.topLevelItem(0))
            viewers["memory"] = page.open_details()

    def close_memory_viewer() -> None:
        shooter.save(viewers["memory"], "memory-viewer.png")
        viewers["memory"].close()

    def timeline() -> None:
        window.show_page("Timeline")

    def frame_viewer() -> None:
        page = window.timeline
        if page.list.count():
            viewer = page.open_item(page.list.item(min(3, page.list.count() - 1)))
            viewer.resize(1100, 780)
            viewers["frame"] = viewer

    def close_frame_viewer() -> None:
        shooter.save(viewers["frame"], "frame-viewer.png")
        viewers["frame"].close()

    def activity() -> None:
        window.show_page("Activity")

    def settings() -> None:
        dialog = controller.open_settings()
        dialog.interval.setValue(2.0)
        viewers["settings"] = dialog

    def settings_capture() -> None:
        dialog = viewers["settings"]
        shooter.save(dialog, "settings.png")
        dialog.tabs.setCurrentIndex(1)

    def settings_storage() -> None:
        dialog = viewers["settings"]
        shooter.save(dialog, "settings-capture.png")
        dialog.tabs.setCurrentIndex(2)

    def close_settings() -> None:
        dialog = viewers["settings"]
        shooter.save(dialog, "settings-storage.png")
        dialog.reject()

    # The app captures hourly here (so that it does not record this session's windows);
    # the pages show the default interval.
    default_capture = ctx.settings.capture.model_copy(update={"interval_s": 2.0})
    shown_settings = ctx.settings.model_copy(update={"capture": default_capture})

    def first_run() -> None:
        dialog = FirstRunDialog(ctx.paths, shown_settings)
        dialog.show()
        viewers["first"] = dialog

    def close_first_run() -> None:
        shooter.save(viewers["first"], "first-run.png")
        viewers["first"].close()

    then(1500, tray_menu)
    then(700, shot_tray)
    then(100, chat)
    then(3000, lambda: shooter.save(window, "chat.png"))
    then(100, memories)
    then(1500, lambda: shooter.save(window, "memory-browser.png"))
    then(100, vault)
    then(1200, vault_reveal)
    then(300, lambda: shooter.save(window, "vault.png"))
    then(100, memory_viewer)
    then(1500, close_memory_viewer)
    then(100, timeline)
    then(2500, lambda: shooter.save(window, "timeline.png"))
    then(100, frame_viewer)
    then(1500, close_frame_viewer)
    then(100, activity)
    then(2000, lambda: shooter.save(window, "activity.png"))
    then(100, settings)
    then(1500, settings_capture)
    then(300, settings_storage)
    then(300, close_settings)
    then(100, first_run)
    then(700, close_first_run)

    controller.start(show=False)
    if first_run_needed:
        print("(first-run page skipped for the live app; shot separately)", file=sys.stderr)
    run_next()
    code = app.exec()
    ctx.close()
    print(f"home: {home}", file=sys.stderr)
    return int(code)


if __name__ == "__main__":
    raise SystemExit(main())
