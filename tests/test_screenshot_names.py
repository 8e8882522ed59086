"""`make screenshots` writes each docs screenshot once: the passes' shot lists
(tools/shooting.py) hold no name twice, each staff screen is shot by one pass only, and
docs/screenshots holds exactly those files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from tools.shooting import ROOT, SIZE, SMALL, all_names, pass_names, staff_screen_shots


def test_no_screenshot_is_written_twice() -> None:
    names = all_names()
    assert [name for name, count in Counter(names).items() if count > 1] == []
    passes = [pass_names(size, dark) for size in (SIZE, SMALL) for dark in (False, True)]
    assert sum(len(p) for p in passes) == len(set(names))


def test_each_staff_screen_is_shot_by_one_pass() -> None:
    from judgepanel.ui.staff.page import SCREENS

    by_staff_pass = [key for key, _name in staff_screen_shots(dark=False)]
    own_passes = ["leaderboard", "meeting"]  # on the grants demo; the meeting's shots
    assert sorted(by_staff_pass + own_passes) == sorted(key for key, _kind in SCREENS)
    assert by_staff_pass[-1] == "overview"  # it shows what the other screens left behind


def test_the_docs_folder_holds_exactly_the_shots() -> None:
    folder = Path(ROOT) / "docs" / "screenshots"
    assert {p.stem for p in folder.glob("*.png")} == set(all_names())
