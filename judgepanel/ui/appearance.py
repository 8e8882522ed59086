"""Light, dark, or the system's choice: the app's colours, chosen in View > Appearance.

Why our own palettes: on Linux the system's dark theme often does not reach a Qt app
(no platform theme plugin, or one that ignores the colour scheme), and judges read for
hours. So the app uses the Fusion style, which honours a palette fully, with a light
or a dark palette of its own. "System" follows Qt's colour scheme when the platform
reports one, otherwise (Linux) the desktop portal's ``color-scheme`` setting or a
``GTK_THEME`` ending in ``:dark``. The choice is kept in the settings
(:data:`APPEARANCE_KEY`) and applied at start and whenever it changes.
"""

from __future__ import annotations

import os
import sys
from functools import cache
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMenu, QProxyStyle, QStyleOption, QWidget

APPEARANCE_KEY = "appearance/scheme"
SCHEMES = ("system", "light", "dark")

# Fusion's own light colours (its standard palette), written out: a palette taken from
# the style would need Python's first QStyle object at start, which costs about 5 ms of
# enum types, and on Qt 6.5+ that palette turns dark with a dark desktop, even when the
# person chose Light. tests/ui/test_appearance.py checks these against Fusion's.
LIGHT = {
    "Window": "#efefef", "WindowText": "#000000", "Base": "#ffffff",
    "AlternateBase": "#f7f7f7", "Text": "#000000", "Button": "#efefef",
    "ButtonText": "#000000", "Highlight": "#308cc6", "HighlightedText": "#ffffff",
    "ToolTipBase": "#ffffdc", "ToolTipText": "#000000", "PlaceholderText": "#80000000",
    "BrightText": "#ffffff", "Link": "#0000ff", "LinkVisited": "#ff00ff", "Mid": "#b8b8b8",
    "Dark": "#9f9f9f", "Light": "#ffffff", "Midlight": "#cacaca", "Shadow": "#767676",
    "Accent": "#308cc6",
}
LIGHT_DISABLED = {
    "WindowText": "#bebebe", "Text": "#bebebe", "ButtonText": "#bebebe", "Base": "#efefef",
    "Dark": "#bebebe", "Shadow": "#b1b1b1", "Highlight": "#919191", "Accent": "#919191",
}
# Dark colours in the spirit of common dark desktop themes; Fusion honours a palette fully.
DARK = {
    "Window": "#202124", "WindowText": "#e8eaed", "Base": "#171717",
    "AlternateBase": "#262626", "Text": "#e8eaed", "Button": "#2d2e30",
    "ButtonText": "#e8eaed", "Highlight": "#3d6fb4", "HighlightedText": "#ffffff",
    "ToolTipBase": "#2d2e30", "ToolTipText": "#e8eaed", "PlaceholderText": "#9aa0a6",
    "BrightText": "#ffffff", "Link": "#8ab4f8", "Mid": "#3c4043", "Dark": "#111111",
    "Light": "#3c4043", "Midlight": "#303134", "Shadow": "#000000",
}
DARK_DISABLED = {"WindowText": "#80868b", "Text": "#80868b", "ButtonText": "#80868b"}
# Given to the QApplication the app makes, so that Qt makes the Fusion style itself
# when a widget first needs it, and Python never touches the style object at start.
FUSION_ARGUMENTS = ("-style", "Fusion")


def _palette(colours: dict[str, str], disabled: dict[str, str]) -> QPalette:
    palette = QPalette()
    for role, colour in colours.items():
        palette.setColor(getattr(QPalette.ColorRole, role), QColor(colour))
    for role, colour in disabled.items():
        palette.setColor(QPalette.ColorGroup.Disabled, getattr(QPalette.ColorRole, role),
                         QColor(colour))
    return palette


def light_palette() -> QPalette:
    return _palette(LIGHT, LIGHT_DISABLED)


def dark_palette() -> QPalette:
    return _palette(DARK, DARK_DISABLED)


def _portal_prefers_dark() -> bool | None:
    """The freedesktop portal's colour scheme (1 = prefer dark), or None when unknown."""
    if not sys.platform.startswith("linux") or not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return None
    try:
        from PySide6.QtDBus import QDBusConnection, QDBusInterface
    except ImportError:  # pragma: no cover - QtDBus ships with PySide6-Essentials
        return None
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        return None
    portal = QDBusInterface("org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                            "org.freedesktop.portal.Settings", bus)
    portal.setTimeout(150)
    reply = portal.call("Read", "org.freedesktop.appearance", "color-scheme")
    values = reply.arguments()
    if not values:
        return None
    value = values[0]
    while hasattr(value, "variant"):  # QDBusVariant, nested once or twice
        value = value.variant()
    return value == 1 if isinstance(value, int) else None


def system_prefers_dark() -> bool:
    scheme = QGuiApplication.styleHints().colorScheme()
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    portal = _portal_prefers_dark()
    if portal is not None:
        return portal
    return os.environ.get("GTK_THEME", "").lower().endswith(":dark")


def chosen(settings: QSettings) -> str:
    value = str(settings.value(APPEARANCE_KEY, "system") or "system")
    return value if value in SCHEMES else "system"


def use_fusion(app: QApplication) -> None:
    """Make Fusion the style, unless it is already (Qt's default often is), ours or not."""
    if not app.property(OUTLINED) and app.style().name().lower() != "fusion":
        app.setStyle("Fusion")


@cache
def outlined_indicators() -> type[QProxyStyle]:
    """Fusion, with every check box and radio button outlined in a colour that shows.

    Fusion outlines them in the window colour made darker, which on a dark palette is
    the colour of the box itself: an empty check box, in a list above all, was not
    there to see. Only the dark scheme uses this style, and the class is made on first
    use: Python's first touch of QStyle makes PySide build its enum types (about 5 ms
    of a light start-up, which never needs it). Item views' check boxes are drawn as
    check boxes too (Fusion asks its proxy), so they are outlined as well.
    """
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QProxyStyle, QStyle

    class OutlinedIndicators(QProxyStyle):
        def __init__(self) -> None:
            super().__init__("Fusion")

        def drawPrimitive(self, element: QStyle.PrimitiveElement,  # noqa: N802 (Qt)
                          option: QStyleOption, painter: QPainter,
                          widget: QWidget | None = None) -> None:
            super().drawPrimitive(element, option, painter, widget)
            round_ = element == QStyle.PrimitiveElement.PE_IndicatorRadioButton
            if not round_ and element != QStyle.PrimitiveElement.PE_IndicatorCheckBox:
                return
            enabled = bool(option.state & QStyle.StateFlag.State_Enabled)
            group = QPalette.ColorGroup.Normal if enabled else QPalette.ColorGroup.Disabled
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setPen(option.palette.color(group, QPalette.ColorRole.PlaceholderText))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            box = QRectF(option.rect).adjusted(0.5, 0.5, -0.5, -0.5)
            if round_:
                painter.drawEllipse(box)
            else:
                painter.drawRect(box)
            painter.restore()

    return OutlinedIndicators


OUTLINED = "judgepanel_outlined_indicators"  # an application property: the style is ours


def set_palette(app: QApplication, scheme: str) -> bool:
    """Use ``scheme``'s palette (and, dark, :func:`outlined_indicators`); True when dark."""
    dark = scheme == "dark" or (scheme == "system" and system_prefers_dark())
    if dark:
        outlined = outlined_indicators()
        if not isinstance(app.style(), outlined):
            app.setStyle(outlined())
        app.setProperty(OUTLINED, True)
    elif app.property(OUTLINED):  # asking for the style costs ~5 ms: only if it was ours
        if isinstance(app.style(), outlined_indicators()):
            app.setStyle("Fusion")
        app.setProperty(OUTLINED, False)
    app.setPalette(dark_palette() if dark else light_palette())
    return dark


def apply(app: QApplication, scheme: str) -> bool:
    """Fusion with ``scheme``'s palette; True when the result is dark."""
    use_fusion(app)
    return set_palette(app, scheme)


def appearance_menu(menu: QMenu, settings: QSettings) -> QActionGroup:
    """System / Light / Dark as checkable actions in ``menu``; choosing one applies it."""
    group = QActionGroup(menu)
    names = {"system": menu.tr("Same as the &system"), "light": menu.tr("&Light"),
             "dark": menu.tr("&Dark")}
    current = chosen(settings)
    for scheme in SCHEMES:
        action = QAction(names[scheme], menu)
        action.setCheckable(True)
        action.setChecked(scheme == current)
        action.setData(scheme)
        group.addAction(action)
        menu.addAction(action)

    def picked(action: QAction) -> None:
        scheme = str(action.data())
        settings.setValue(APPEARANCE_KEY, scheme)
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply(app, scheme)

    group.triggered.connect(picked)
    return group
