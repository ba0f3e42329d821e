"""The change gate keeps changed frames, skips still ones, forces keyframes, finds the change."""

from __future__ import annotations

from PIL import Image, ImageDraw

from mirix_desktop.pipeline.capture.gate import ChangeGate


def _screen(text: str = "") -> Image.Image:
    image = Image.new("RGB", (1920, 1080), (250, 250, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle((100, 100, 900, 140), fill=(30, 30, 30))
    if text:
        draw.text((1200, 700), text, fill=(0, 0, 0), font_size=40)
    return image


def test_still_screen_is_skipped_and_typing_is_kept_with_its_box() -> None:
    gate = ChangeGate(keyframe_s=600)
    first = gate.check(_screen(), at=0.0)
    assert first.keep and first.keyframe and first.changed_box is None
    assert not gate.check(_screen(), at=1.0).keep
    typed = gate.check(_screen("Hello wor"), at=2.0)
    assert typed.keep and not typed.keyframe
    left, top, right, bottom = typed.changed_box  # type: ignore[misc]
    assert 1100 <= left <= 1200 and 650 <= top <= 700
    assert right <= 1500 and bottom <= 780
    assert (right - left) * (bottom - top) < 1920 * 1080 * 0.05


def test_a_keyframe_is_forced_after_a_long_still_period() -> None:
    gate = ChangeGate(keyframe_s=60)
    gate.check(_screen(), at=0.0)
    assert not gate.check(_screen(), at=59.0).keep
    forced = gate.check(_screen(), at=61.0)
    assert forced.keep and forced.keyframe


def test_a_changed_resolution_is_a_new_start() -> None:
    gate = ChangeGate()
    gate.check(_screen(), at=0.0)
    assert gate.check(Image.new("RGB", (1280, 720)), at=1.0).keyframe


def test_changes_inside_ignored_boxes_do_not_count() -> None:
    gate = ChangeGate(threshold=0.00005)
    panel = (0, 0, 1920, 40)
    gate.check(_screen(), at=0.0, ignore=[panel])
    clock = _screen()
    ImageDraw.Draw(clock).text((1700, 5), "09:42", fill=(0, 0, 0), font_size=28)
    assert not gate.check(clock, at=1.0, ignore=[panel]).keep
    assert gate.check(clock, at=2.0).keep  # the same change outside a panel is content


def test_a_blinking_caret_and_a_tiny_change_store_nothing_but_add_up() -> None:
    gate = ChangeGate(threshold=0.00005)
    gate.check(_screen(), at=0.0)
    caret = _screen()
    ImageDraw.Draw(caret).rectangle((600, 400, 601, 440), fill=(0, 0, 0))  # 2 x 40 px
    assert not gate.check(caret, at=1.0).keep
    dot = _screen()
    ImageDraw.Draw(dot).rectangle((600, 400, 606, 406), fill=(0, 0, 0))
    assert not gate.check(dot, at=2.0).keep
    # Typing character by character: kept once the change since the last kept frame is
    # large enough, not lost.
    kept = []
    for n in range(1, 12):
        typed = _screen()
        ImageDraw.Draw(typed).text((300, 500), "Hello world"[:n], fill=(0, 0, 0), font_size=14)
        kept.append(gate.check(typed, at=3.0 + n).keep)
    assert kept[0] is False and any(kept)
