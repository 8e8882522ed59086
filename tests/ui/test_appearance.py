"""The app's colours: Fusion with our palettes, whatever style Qt started with."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFrame,
    QListWidget,
    QListWidgetItem,
    QStyleFactory,
    QWidget,
)

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
        assert appearance.apply(app, "dark")  # Fusion, outlining its indicators
        style = app.style()
        assert isinstance(style, appearance.outlined_indicators())
        assert style.baseStyle().name().lower() == "fusion"
        appearance.use_fusion(app)
        assert app.style() is style  # ours is Fusion: kept
        assert app.palette().color(window).name() == appearance.DARK["Window"]
        assert not appearance.apply(app, "light")
        assert app.palette().color(window) == fusion_light.color(window)
    finally:
        app.setStyle(before_style)
        app.setProperty(appearance.OUTLINED, False)
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


def _marks(widget: QWidget, near: QColor) -> int:
    """Pixels far from ``near`` in ``widget``'s top left 17 x 20, where its first check
    box is (its text begins further right): the box's outline, if it shows."""
    image = widget.grab().toImage()
    return sum(1 for x in range(min(17, image.width())) for y in range(min(20, image.height()))
               if abs(image.pixelColor(x, y).lightness() - near.lightness()) > 50)


def test_an_empty_check_box_shows_on_the_dark_palette(qtbot: Any) -> None:
    """Fusion outlines a check box in the window colour made darker: on the dark palette,
    the colour of the box itself. An empty box in a list (the import's attachment
    columns, for one) was not there to see."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before_style, before_palette = app.style().name(), app.palette()
    try:
        assert appearance.apply(app, "dark")
        assert isinstance(app.style(), appearance.outlined_indicators())
        listing = QListWidget()
        qtbot.addWidget(listing)
        item = QListWidgetItem("Budget (attachment)")
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        listing.addItem(item)
        listing.setFrameShape(QFrame.Shape.NoFrame)
        listing.resize(240, 60)
        box = QCheckBox("No conflict of interest")
        qtbot.addWidget(box)
        box.show()
        listing.show()
        base = app.palette().color(QPalette.ColorRole.Base)
        window = app.palette().color(QPalette.ColorRole.Window)
        assert _marks(listing, base) > 20 and _marks(box, window) > 20
        assert not appearance.apply(app, "light")  # light: Fusion's own drawing again
        assert not isinstance(app.style(), appearance.outlined_indicators())
        assert app.style().name().lower() == "fusion"
    finally:
        app.setStyle(before_style)
        app.setProperty(appearance.OUTLINED, False)
        app.setPalette(before_palette)
