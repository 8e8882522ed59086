"""A screen shows only its newest reload: an older read that finishes later is dropped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.ui.staff.conftest import wait_idle


def test_an_overtaken_reload_does_not_put_stale_rows_back(
        demo: Path, make_page: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    page, errors = make_page(demo / "program")
    screen = page.show_screen("bundles")
    wait_idle(qtbot, page.ctx)
    held: list[Any] = []  # the reads' deliveries, in the order they were started
    monkeypatch.setattr(page.ctx, "read", lambda query, deliver, parent=None, on_error=None:
                        held.append(deliver))
    shown: list[str] = []
    screen.load(lambda _s: "older", shown.append)
    screen.load(lambda _s: "newer", shown.append)
    held[1]("newer")  # the newer read finishes first...
    held[0]("older")  # ...and the older one after it: ignored
    assert shown == ["newer"]
    screen.load(lambda _s: "latest", shown.append)
    held[2]("latest")
    assert shown == ["newer", "latest"] and not errors
