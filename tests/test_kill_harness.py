"""kill -9 at random moments of ingest, OCR and absorb (alone and overlapping) loses no
memory and makes none twice: the end state equals a run without kills.

The chat turns hold statements whose offline absorption makes semantic memories,
core facts and vault entries, the screenshots make frames, episodes and OCR text.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from agents.store import MemoryType
from tests.helpers import T0

pytestmark = pytest.mark.slow

KILLS = 30
TURNS = 300  # more than one ingest batch (256), so that an absorb can fall between two
PROJECTS = ["Heron", "Osprey", "Kestrel", "Falcon", "Plover", "Curlew", "Gannet", "Puffin"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "noon"]
STATEMENTS = [
    "remember that the boiler service is on 3 March",
    "my dentist is Dr. Alvarez",
    "remember that Anna's birthday is 14 June",
    "my bike lock code is 4471",
    "my card number is 4111 1111 1111 1111",
    "remember that the spare key is under the blue pot",
    "my favourite tea is genmaicha",
    "remember that the car insurance renews in May",
    "my gym is Fit Forward on Elm Street",
    "remember that the wifi password hint is the dog's name",
]


def _chat(path: Path) -> None:
    lines = []
    for i in range(TURNS):
        said = STATEMENTS[i // 6 % len(STATEMENTS)]
        text = said if i % 6 == 3 else f"small talk number {i} about the weather"
        lines.append(
            json.dumps(
                {
                    "id": f"turn-{i:03d}",
                    "conversation_id": f"conv-{i // 50}",
                    "speaker": "user" if i % 2 else "assistant",
                    "text": text,
                    "created_at": (T0 + timedelta(minutes=i)).isoformat(),
                }
            )
        )
    path.write_text("\n".join(lines) + "\n")


def _shots(folder: Path) -> None:
    folder.mkdir()
    for i in range(8):
        image = Image.new("RGB", (640, 200), "white")
        draw = ImageDraw.Draw(image)
        # Each screen a new page (a few changed digits would be too small a change to keep).
        draw.text((20, 20), f"Invoice {1000 + i} for {PROJECTS[i]}", fill="black", font_size=28)
        draw.text((20, 80), f"Total due {40 + i} EUR by {DAYS[i]}", fill="black", font_size=28)
        image.save(folder / f"20261121_10{i:02d}00.png")


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIRIX_")}
    env.update(
        MIRIX_HOME=str(home),
        MIRIX_SECRETS__BACKEND="file",
        MIRIX_MODELS__TEXT_EMBEDDER="none",
        MIRIX_MODELS__CLIP_PROVIDER="none",
        MIRIX_ABSORB__BATCH_SIZE="6",
        HF_HUB_OFFLINE="1",
    )
    return env


def _start(home: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "mirix_desktop", *args],
        env=_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _finish(proc: subprocess.Popen[bytes]) -> None:
    _, err = proc.communicate(timeout=300)
    assert b"internal error" not in err and b"Traceback" not in err, err.decode()


def _complete(home: Path, chat: Path, shots: Path) -> None:
    """Every step to its end, as a user would run them again after a crash."""
    _finish(_start(home, "ingest", "chat", str(chat)))
    for _ in range(4):
        # Time passes: items given back with a backoff are ready again.
        db = sqlite3.connect(home / "data" / "inbox.sqlite")
        db.execute("UPDATE items SET next_try_at = 0 WHERE state = 'pending'")
        db.commit()
        db.close()
        _finish(_start(home, "ingest", "screenshots", str(shots)))  # reads what waits for OCR
        _finish(_start(home, "absorb"))
        if _inbox(home)["pending"] == 0:
            return


def _absorb_loop(home: Path, stop: threading.Event) -> None:
    while not stop.is_set():
        _finish(_start(home, "absorb"))


def _inbox(home: Path) -> dict[str, int]:
    db = sqlite3.connect(home / "data" / "inbox.sqlite")
    rows = dict(db.execute("SELECT state, COUNT(*) FROM items GROUP BY state").fetchall())
    db.close()
    return {"pending": rows.get("pending", 0), "done": rows.get("done", 0)}


def _state(home: Path) -> dict[str, Any]:
    """What the run left, in terms that do not depend on how batches were cut."""
    from mirix_desktop.services.context import open_context

    ctx = open_context(home)
    try:
        store = ctx.store
        ids = [r["id"] for r in store.frame_rows()]
        frames = {f.id: f.ocr_text for f in store.frames(ids)}
        turns = {t["id"] for t in store.iter_chat_turns()}
        mems = {t: store.list_memories(t, limit=10_000) for t in MemoryType}
        semantic = Counter(m.data.summary for m in mems[MemoryType.SEMANTIC])
        human = [m for m in mems[MemoryType.CORE] if m.id == "core_human"]
        core_lines = Counter(human[0].data.value.splitlines()) if human else Counter()
        vault = Counter(
            (m.data.entry_type, m.data.secret_value) for m in mems[MemoryType.KNOWLEDGE_VAULT]
        )
        episode_frames = Counter(s for m in mems[MemoryType.EPISODIC] for s in m.source_ids)
        return {
            "frames": frames,
            "turns": turns,
            "semantic": semantic,
            "core": core_lines,
            "vault": vault,
            "episode_frames": episode_frames,
            "inbox": _inbox(home),
        }
    finally:
        ctx.close()


def test_kill_9_at_random_points_loses_nothing_and_repeats_nothing(tmp_path) -> None:
    chat, shots = tmp_path / "chat.jsonl", tmp_path / "shots"
    _chat(chat)
    _shots(shots)

    # The run without kills, timed, so that kills land inside each step.
    reference = tmp_path / "reference"
    took: dict[str, float] = {}
    for name, args in (
        ("chat", ("ingest", "chat", str(chat))),
        ("shots", ("ingest", "screenshots", str(shots))),
        ("absorb", ("absorb",)),
    ):
        start = time.monotonic()
        _finish(_start(reference, *args))
        took[name] = time.monotonic() - start
    expected = _state(reference)
    assert len(expected["semantic"]) >= 4 and len(expected["core"]) >= 3
    assert expected["vault"] and len(expected["frames"]) == 8

    rng = random.Random(20261130)
    home = tmp_path / "killed"
    steps = {
        "chat": ("ingest", "chat", str(chat)),
        "shots": ("ingest", "screenshots", str(shots)),
        "absorb": ("absorb",),
    }
    kills: list[str] = []
    while len(kills) < KILLS:
        # One step alone, or an ingest with absorbs running one after another beside it
        # (the race that once lost chat memories without any crash).
        names = rng.choice(
            [["chat"], ["shots"], ["absorb"], ["chat", "absorb"], ["shots", "absorb"]]
        )
        victim = rng.choice(names)
        stop = threading.Event()
        beside = threading.Thread(target=_absorb_loop, args=(home, stop))
        if len(names) == 2:
            beside.start()
        proc = _start(home, *steps[names[0]])
        delay = rng.uniform(0.2, took[names[0]] * 1.1)
        time.sleep(delay)
        if victim == names[0] and proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills.append(f"{victim}@{delay:.2f}s")
            proc.wait(timeout=300)
        else:
            _finish(proc)
        stop.set()
        if len(names) == 2:
            beside.join(timeout=300)
        if victim == "absorb" and len(names) == 2:
            # An absorb killed in the middle of its work, the ingest's items waiting.
            absorb = _start(home, "absorb")
            delay = rng.uniform(0.2, took["absorb"] * 1.1)
            time.sleep(delay)
            if absorb.poll() is None:
                absorb.send_signal(signal.SIGKILL)
                kills.append(f"absorb@{delay:.2f}s after {names[0]}")
            absorb.wait(timeout=300)

    _complete(home, chat, shots)
    found = _state(home)
    print(f"\nkill points ({len(kills)}): {', '.join(kills)}")
    print(
        f"items {sum(expected['inbox'].values())}, memories expected: "
        f"{len(expected['semantic'])} semantic, {len(expected['core'])} core facts, "
        f"{len(expected['vault'])} vault; found: {len(found['semantic'])}, "
        f"{len(found['core'])}, {len(found['vault'])}"
    )
    assert found["frames"] == expected["frames"]
    assert found["turns"] == expected["turns"]
    assert found["semantic"] == expected["semantic"]  # each once, none missing
    assert found["core"] == expected["core"]
    assert found["vault"] == expected["vault"]
    assert set(found["episode_frames"]) == set(expected["frames"])
    assert max(found["episode_frames"].values()) == 1  # no frame in two episodes
    assert found["inbox"] == expected["inbox"] == {"pending": 0, "done": TURNS + 16}
