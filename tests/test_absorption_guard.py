"""The app's absorb step keeps to one run at a time with one guard, the one a data move
holds too: a run asked while another goes on (or while the guard is held) does nothing."""

from __future__ import annotations

from mirix_desktop.services.backend import Backend
from mirix_desktop.services.runtime import Absorption
from tests.helpers import add_turns


def test_one_guard_keeps_absorption_to_one_run_at_a_time(ctx) -> None:
    add_turns(ctx, "the spare key is under the blue pot")
    absorption = Absorption(Backend(ctx))
    assert not absorption.running
    assert absorption.hold(timeout_s=1)  # what a data move does
    try:
        assert absorption.running
        assert absorption.absorb() is None  # another run holds the guard: nothing happens
        assert ctx.inbox.counts()["pending"] == 1
    finally:
        absorption.release()
    assert not absorption.running
    report = absorption.absorb()
    assert report is not None and report.items_done == 1
    assert not absorption.running
