"""Render the app and file-type icons for the packages (run before PyInstaller).

From resources/icons/*.svg (drawn once, shipped in the wheel too) this writes to
build/icons/: the freedesktop hicolor tree (PNG at each size plus the scalable SVG)
for the app and the four file types, ``judgepanel.ico`` (Windows) and
``judgepanel.icns`` (macOS). Qt's SVG renderer (already a dependency) draws the PNGs;
Pillow, from the ``[package]`` extra, packs them into .ico and .icns. Nothing here is
committed: the build makes it again.

    python packaging/icons.py [OUT_DIR]
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from judgepanel.paths import resource

APP_ID = "org.judgepanel.JudgePanel"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
# freedesktop MIME type icon names (the MIME type with / replaced by -) and their source.
MIME_ICONS = {
    "application-x-judgepanel-bundle": "bundle",
    "application-x-judgepanel-results": "export",
    "application-x-judgepanel-work": "in-progress",
    "application-x-judgepanel-card": "identity",
}


def render(svg: Path, size: int, out: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out), "PNG"):
        raise SystemExit(f"could not write {out}")


def build_icons(out: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([])
    hicolor = out / "hicolor"
    themed = {"apps": {APP_ID: "judgepanel"},
              "mimetypes": {name: src for name, src in MIME_ICONS.items()}}
    for context, names in themed.items():
        for name, source in names.items():
            svg = resource("icons", f"{source}.svg")
            for size in SIZES:
                render(svg, size, hicolor / f"{size}x{size}" / context / f"{name}.png")
            scalable = hicolor / "scalable" / context / f"{name}.svg"
            scalable.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(svg, scalable)
    del app

    from PIL import Image

    largest = hicolor / "512x512" / "apps" / f"{APP_ID}.png"
    with Image.open(largest) as image:
        image.save(out / "judgepanel.ico", sizes=[(s, s) for s in SIZES if s <= 256])
        image.save(out / "judgepanel.icns")


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build/icons")
    build_icons(target)
    print(f"icons written to {target}")
