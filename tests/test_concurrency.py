"""Two processes write to one store at once; each sees the other's writes."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

WRITER = textwrap.dedent(
    """
    import sys
    from mirix_desktop.services.context import open_context
    ctx = open_context()
    name = sys.argv[1]
    ids = []
    for i in range(int(sys.argv[2])):
        ids.append(ctx.store.add("semantic", {"summary": f"{name} fact number {i}"},
                                 actor=name).id)
    victim = ctx.store.add("episodic", {"summary": f"{name} event"}, actor=name)
    ctx.store.update(victim.id, {"details": "changed"}, actor=name)
    print(len(ids))
    ctx.close()
    """
)


def test_two_processes_writing_at_once_lose_nothing(home: Path, monkeypatch) -> None:
    monkeypatch.setenv("MIRIX_MODELS__TEXT_EMBEDDER", "none")  # fast start; full-text only
    monkeypatch.setenv("MIRIX_STORE__READ_CONSISTENCY_S", "0")
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, name, "25"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("alpha", "beta")
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    for proc, (out, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0, err
        assert out.strip() == "25"
    from agents.store import SearchOptions
    from mirix_desktop.services.context import open_context

    ctx = open_context()
    counts = ctx.store.counts()
    assert counts["semantic"] == 50
    assert counts["episodic"] == 2
    assert counts["history"] == 50 + 2 + 2
    actors = {h.actor for h in ctx.store.history(limit=1000)}
    assert actors == {"alpha", "beta"}
    hits = ctx.store.search("beta fact", SearchOptions(k=50, types=["semantic"]))
    assert sum(1 for h in hits if h.text.startswith("beta")) == 25
    ctx.close()


def test_a_reader_sees_another_process_writes(home: Path, monkeypatch) -> None:
    monkeypatch.setenv("MIRIX_MODELS__TEXT_EMBEDDER", "none")
    monkeypatch.setenv("MIRIX_STORE__READ_CONSISTENCY_S", "0")
    from agents.store import SearchOptions
    from mirix_desktop.services.context import open_context

    reader = open_context()
    reader.store.add("semantic", {"summary": "created by the reader"})
    assert reader.store.search("aardvark", SearchOptions(k=5)) == []
    out = subprocess.run(
        [sys.executable, "-m", "mirix_desktop", "remember", "an aardvark visited"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert out.stdout.startswith("remembered sem_")
    hits = reader.store.search("aardvark", SearchOptions(k=5))
    assert [h.id for h in hits] == [out.stdout.split()[1]]
    reader.close()
