"""A desktop session as people have it, scripted: what the app records and what it costs.

Xvfb at 1600x900 with a window manager (openbox) and a tray host (trayer); the
app started by its console script (`mirix-desktop app`, consent given) with its
main window visible; a document window (WM_CLASS gedit) in front of it, focused,
whose title and text change every ``--change-s`` seconds; a password manager
window (WM_CLASS keepassxc, on the default excluded list) visible beside them,
not focused, showing a known secret.

Prints the app's CPU time as a share of one core (after warm-up and over the
whole session), its RSS after warm-up, at the end and at peak, frames stored per
content change, and how many stored frames hold the app's own interface text and
the secret in their OCR text. Frames the app had not read yet when the session
ended are read afterwards by the same OCR worker, and what the app had not absorbed
yet (it absorbs every ``absorb.max_wait_s``) is absorbed by the same job, so every
frame counts; the CPU of that is printed, and a second pair of CPU figures counts it
as the app's.

    .venv/bin/python bench/desktop_session.py [--minutes 10] [--warmup-s 120]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402

from tests.helpers import start_xvfb  # noqa: E402

W, H = 1600, 900
APP = Path(sys.executable).with_name("mirix-desktop")
SECRET = "Kq7-Vortex-2291-Plum"
KEEPASS_LINES = ["personal.kdbx - KeePassXC", "Entry: Harbor Bank login", f"Password: {SECRET}"]
# Words of the app's own interface (main window, status bar, tray tooltip).
APP_TEXT = re.compile(
    r"ask about what you saw|frames today|\d+ waiting|pause capture|capture now", re.I
)
WORDS = (
    "harbor invoice garden meeting lantern budget orchid falcon ledger summit quarter "
    "river copper museum planet violet marble signal canyon meadow rocket pepper "
    "window glacier thunder cobalt saffron walnut"
).split()


def _cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def _cpu_by_thread(pid: int) -> dict[str, float]:
    """CPU seconds of the live threads, by their OS name (the app names its own)."""
    out: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            name = (task / "comm").read_text().strip()
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the thread ended meanwhile
        seconds = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        out[name] = out.get(name, 0.0) + seconds
    return out


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _wait(what: str, check: Callable[[], Any], timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.3)
    raise SystemExit(f"timed out waiting for {what}")


class Desk:
    """The X side: windows drawn from pixmaps (the server repaints them when exposed)."""

    def __init__(self, name: str) -> None:
        from Xlib import display

        self.d: Any = display.Display(name)
        self.screen = self.d.screen()
        self.name = name

    def window(self, rect: tuple[int, int, int, int], wm_class: tuple[str, str], title: str) -> Any:
        x, y, w, h = rect
        win = self.screen.root.create_window(x, y, w, h, 0, self.screen.root_depth)
        win.set_wm_class(*wm_class)
        win.set_wm_normal_hints(flags=1 | 4, x=x, y=y)  # USPosition | PPosition: keep it there
        self.title(win, title)
        win.map()
        self.d.sync()
        return win

    def title(self, win: Any, title: str) -> None:
        win.change_property(
            self.d.intern_atom("_NET_WM_NAME"), self.d.intern_atom("UTF8_STRING"), 8, title.encode()
        )
        win.set_wm_name(title)

    def paint(self, win: Any, lines: list[str], size: tuple[int, int], font_size: int) -> None:
        page = Image.new("RGB", size, "white")
        draw = ImageDraw.Draw(page)
        for i, line in enumerate(lines):
            draw.text((24, 24 + i * int(font_size * 1.6)), line, fill="black", font_size=font_size)
        pixmap = win.create_pixmap(size[0], size[1], self.screen.root_depth)
        pixmap.put_pil_image(pixmap.create_gc(), 0, 0, page)
        win.change_attributes(background_pixmap=pixmap)
        win.clear_area(0, 0, 0, 0, True)
        pixmap.free()
        self.d.sync()


def _document(n: int) -> tuple[str, list[str]]:
    words = [WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(60)]
    lines = [f"Notes {n}: " + " ".join(words[:6])]
    lines += [" ".join(words[6 + i * 6 : 12 + i * 6]) + f" {n * 13 + i}" for i in range(8)]
    return f"notes-{n}.txt - gedit", lines


def _xdotool(display: str, *args: str) -> str:
    out = subprocess.run(
        ["xdotool", *args], env={**os.environ, "DISPLAY": display}, capture_output=True, text=True
    )
    return out.stdout.strip()


def run(minutes: float, warmup_s: float, change_s: float, home: Path) -> None:
    name, xvfb = start_xvfb(W, H, first=180)
    procs: list[subprocess.Popen[bytes]] = [xvfb]
    xenv = {**os.environ, "DISPLAY": name}
    quiet: dict[str, Any] = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    try:
        procs.append(subprocess.Popen(["openbox"], env=xenv, **quiet))
        time.sleep(1.0)
        procs.append(
            subprocess.Popen(
                ["trayer", "--edge", "top", "--align", "right", "--widthtype", "request"],
                env=xenv,
                **quiet,
            )
        )
        desk = Desk(name)
        tray = desk.d.intern_atom("_NET_SYSTEM_TRAY_S0")
        _wait("the tray host", lambda: desk.d.get_selection_owner(tray) != 0, 15)

        env = {
            **xenv,
            "QT_QPA_PLATFORM": "xcb",
            "MIRIX_HOME": str(home),
            "MIRIX_SECRETS__BACKEND": "file",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
        }
        os.environ.update({k: v for k, v in env.items() if k.startswith(("MIRIX_", "HF_"))})
        from mirix_desktop.config.consent import record_consent
        from mirix_desktop.config.paths import resolve_paths

        record_consent(resolve_paths(home))

        keepass = desk.window((1010, 560, 570, 300), ("keepassxc", "KeePassXC"), KEEPASS_LINES[0])
        desk.paint(keepass, KEEPASS_LINES, (570, 300), 24)
        log = (home / "app.log").open("w")
        app = subprocess.Popen([str(APP), "app"], env=env, stdout=log, stderr=subprocess.STDOUT)
        procs.append(app)  # type: ignore[arg-type]
        started = time.monotonic()
        app_win = _wait(
            "the app's window",
            lambda: _xdotool(name, "search", "--onlyvisible", "--class", "mirix").split(),
            90,
        )[0]
        _xdotool(name, "windowsize", app_win, "900", "520")
        _xdotool(name, "windowmove", app_win, "680", "30")
        changes = 0
        title, lines = _document(changes)
        doc = desk.window((30, 60, 820, 520), ("gedit", "Gedit"), title)
        desk.paint(doc, lines, (820, 520), 22)
        time.sleep(0.5)
        _xdotool(name, "windowactivate", str(doc.id))

        end = started + minutes * 60
        next_change = time.monotonic() + change_s
        cpu0 = _cpu_s(app.pid)
        samples: list[tuple[float, float, float]] = []  # (seconds since start, cpu s, rss MB)
        while time.monotonic() < end:
            if app.poll() is not None:
                raise SystemExit(f"the app exited ({app.returncode}); see {home / 'app.log'}")
            t = time.monotonic()
            samples.append((t - started, _cpu_s(app.pid), _rss_mb(app.pid)))
            if t >= next_change:
                changes += 1
                title, lines = _document(changes)
                desk.title(doc, title)
                desk.paint(doc, lines, (820, 520), 22)
                next_change += change_s
            time.sleep(1.0)
        samples.append((time.monotonic() - started, _cpu_s(app.pid), _rss_mb(app.pid)))
        threads = _cpu_by_thread(app.pid)
        app.send_signal(signal.SIGTERM)
        app.wait(timeout=60)
        log.close()
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=20)
    report(samples, cpu0, changes + 1, warmup_s)
    print("CPU seconds by thread (live at the end; the main thread is the process's name):")
    for name, seconds in sorted(threads.items(), key=lambda kv: -kv[1])[:8]:
        print(f"  {name:<20} {seconds:7.1f}")


def report(
    samples: list[tuple[float, float, float]], cpu0: float, changes: int, warmup_s: float
) -> None:
    from agents.store.search import SearchOptions
    from mirix_desktop.pipeline.inbox import ABSORB_KINDS
    from mirix_desktop.services.context import open_context

    ctx = open_context()
    unread = ctx.inbox.waiting(["ocr"])[0]
    before = time.process_time()
    ctx.ocr_worker().drain()  # frames the app had not read yet (loading the engine counts)
    late_cpu = time.process_time() - before
    frames = ctx.store.frames([r["id"] for r in ctx.store.frame_rows()])
    # The app absorbs every max_wait_s, so the frames of the session's last minutes were
    # still waiting when it stopped: absorb them here, by the same job, and count the CPU
    # as the app's (models loaded first, as they are in the app by then).
    ctx.store.search("warm up", SearchOptions(k=1))
    waiting = ctx.inbox.waiting(ABSORB_KINDS)[0]
    before = time.process_time()
    ctx.absorb_job().absorb()
    late_cpu += time.process_time() - before
    ctx.close()
    t_end, cpu_end, rss_end = samples[-1]
    warm = next((s for s in samples if s[0] >= warmup_s), samples[0])
    peak = max(s[2] for s in samples)
    own = sum(1 for f in frames if APP_TEXT.search(f.ocr_text))
    squash = re.compile(r"[^0-9a-z]")
    secret_bits = [squash.sub("", s.lower()) for s in ("Vortex-2291", "Harbor Bank", "kdbx")]
    leaked = sum(
        1 for f in frames if any(bit in squash.sub("", f.ocr_text.lower()) for bit in secret_bits)
    )
    after_warm = max(1.0, t_end - warm[0])
    print(f"session: {t_end / 60:.1f} min, {changes} content states (one change every 15 s)")
    print(f"app CPU, % of one core, whole session      {100 * (cpu_end - cpu0) / t_end:8.1f}")
    print(
        f"app CPU, % of one core, after warm-up      {100 * (cpu_end - warm[1]) / after_warm:8.1f}"
    )
    print(f"app CPU seconds, whole session             {cpu_end - cpu0:8.1f}")
    print(f"items still waiting for absorption at end  {waiting:8d}")
    print(f"CPU seconds to read and absorb the rest    {late_cpu:8.1f}")
    print("with that counted (every frame read and absorbed):")
    whole = 100 * (cpu_end - cpu0 + late_cpu) / t_end
    print(f"  app CPU, % of one core, whole session    {whole:8.1f}")
    print(
        f"  app CPU, % of one core, after warm-up    "
        f"{100 * (cpu_end - warm[1] + late_cpu) / after_warm:8.1f}"
    )
    print(
        f"RSS MB after warm-up ({warm[0] / 60:.0f} min), end, peak  "
        f"{warm[2]:7.0f} {rss_end:7.0f} {peak:7.0f}"
    )
    print(f"RSS growth warm-up -> end                  {100 * (rss_end / warm[2] - 1):7.1f}%")
    by_minute = [next(s[2] for s in samples if s[0] >= 60 * m) for m in range(int(t_end // 60) + 1)]
    print("RSS MB at each minute                     ", " ".join(f"{v:.0f}" for v in by_minute))
    if t_end >= 1200:  # a long session: does the cost stay flat as the store grows?
        marks = [next(s for s in samples if s[0] >= 600 * w) for w in range(int(t_end // 600) + 1)]
        shares = [
            100 * (b[1] - a[1]) / (b[0] - a[0]) for a, b in zip(marks, marks[1:], strict=False)
        ]
        print("app CPU % of one core, each 10 minutes     ", " ".join(f"{v:.1f}" for v in shares))
    print(f"frames stored                              {len(frames):8d}")
    print(f"frames per content change                  {len(frames) / changes:8.2f}")
    print(f"frames unread by OCR when the app stopped  {unread:8d}")
    print(f"frames holding the app's own text          {own:8d}")
    print(f"frames holding the secret (or its window)  {leaked:8d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--warmup-s", type=float, default=120.0)
    parser.add_argument("--change-s", type=float, default=15.0)
    parser.add_argument("--keep", type=Path, help="use this folder as MIRIX_HOME and keep it")
    args = parser.parse_args()
    for tool in ("Xvfb", "openbox", "trayer", "xdotool"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed (make system installs it)")
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        run(args.minutes, args.warmup_s, args.change_s, args.keep)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            run(args.minutes, args.warmup_s, args.change_s, Path(tmp))


if __name__ == "__main__":
    main()
