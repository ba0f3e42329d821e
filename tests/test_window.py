"""Without a way to read the active window, capture records "unknown" instead of failing."""

from __future__ import annotations

from mirix_desktop.pipeline.capture.window import UNKNOWN, ActiveWindow, UnknownProbe, window_probe


def test_no_display_means_unknown(monkeypatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    probe = window_probe()
    assert isinstance(probe, UnknownProbe)
    assert probe.active() == ActiveWindow(app=UNKNOWN, title="")


def test_an_unreachable_display_means_unknown(monkeypatch, caplog) -> None:
    import logging

    monkeypatch.setenv("DISPLAY", ":987")
    with caplog.at_level(logging.WARNING):
        probe = window_probe()
    assert probe.active().app == UNKNOWN
    assert "recording 'unknown'" in caplog.text
