"""The app's colours: Fusion with our palettes, whatever style Qt started with."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from judgepanel.ui import appearance


def test_each_scheme_uses_fusion_whatever_style_was_set_before(qtbot: Any) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before_style, before_palette = app.style().name(), app.palette()
    fusion_light = QStyleFactory.create("Fusion").standardPalette()
    window = QPalette.ColorRole.Window
    try:
        app.setStyle("Windows")  # a style other than Fusion, which Qt has everywhere
        assert not appearance.apply(app, "light")
        assert app.style().name().lower() == "fusion"
        assert app.palette().color(window) == fusion_light.color(window)
        assert appearance.apply(app, "dark")  # Fusion already: kept, palette dark
        assert app.style().name().lower() == "fusion"
        assert app.palette().color(window).name() == appearance.DARK["Window"]
        assert not appearance.apply(app, "light")
        assert app.palette().color(window) == fusion_light.color(window)
    finally:
        app.setStyle(before_style)
        app.setPalette(before_palette)
