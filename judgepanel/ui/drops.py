"""Files dropped on a widget: the one place that reads a drop's local paths."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtGui import QDragEnterEvent, QDropEvent


def accept_file_drag(event: QDragEnterEvent) -> None:
    """Let a drag that carries files (URLs) be dropped."""
    if event.mimeData().hasUrls():
        event.acceptProposedAction()


def dropped_files(event: QDropEvent) -> list[Path]:
    """The local files in a drop (remote URLs ignored); accepts the drop when there are any."""
    paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
    if paths:
        event.acceptProposedAction()
    return paths
