"""Threads named in the operating system too, so that ``top -H`` and ``/proc/<pid>/task/*/comm``
tell the OCR worker from the store's writer (``bench/desktop_session.py`` reports CPU by name)."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading

_PR_SET_NAME = 15
_named = threading.local()


def _prctl() -> object | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()


def name_os_thread(name: str | None = None) -> None:
    """Give the calling thread ``name`` (its Python name by default) in the OS, once; Linux
    keeps the first 15 bytes. Elsewhere this does nothing."""
    if _PRCTL is None or getattr(_named, "done", False):
        return
    text = (name or threading.current_thread().name).encode()[:15]
    _PRCTL(_PR_SET_NAME, ctypes.c_char_p(text), 0, 0, 0)  # type: ignore[operator]
    _named.done = True
