"""The app's colours: Fusion with our palettes, whatever style Qt started with."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QColor, QPalette
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


def test_the_light_palette_is_fusions_own(qtbot: Any) -> None:
    """The light colours are written out (see appearance.LIGHT): they must stay Fusion's,
    in every group and role, or Light would look different from what Qt users know."""
    fusion = QStyleFactory.create("Fusion").standardPalette()
    ours = appearance.light_palette()
    groups = (QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive,
              QPalette.ColorGroup.Disabled)
    roles = [role for role in QPalette.ColorRole if role != QPalette.ColorRole.NColorRoles]
    differ = [(group.name, role.name, ours.color(group, role).name(QColor.NameFormat.HexArgb),
               fusion.color(group, role).name(QColor.NameFormat.HexArgb))
              for group in groups for role in roles
              if role != QPalette.ColorRole.NoRole
              and ours.color(group, role).rgba() != fusion.color(group, role).rgba()]
    assert differ == []
