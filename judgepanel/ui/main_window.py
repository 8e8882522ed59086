"""The main window: a stack of pages (start, judging, program) under one menu bar."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QStackedWidget, QWidget

from judgepanel import __version__
from judgepanel.ui.icons import icon
from judgepanel.ui.start_page import StartPage

RECENT_KEY = "recent/files"
RECENT_LIMIT = 8


class MainWindow(QMainWindow):
    """Owns the pages and the menus; features plug their pages into the stack."""

    file_opened = Signal(str)

    def __init__(self, settings: QSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle(self.tr("JudgePanel"))
        self.setWindowIcon(icon("judgepanel"))
        self.setAcceptDrops(True)
        self.resize(1280, 800)

        self.pages = QStackedWidget()
        self.start_page = StartPage()
        self.start_page.open_bundle_requested.connect(self.choose_bundle)
        self.start_page.open_program_requested.connect(self.choose_program)
        self.start_page.recent_requested.connect(self.open_path)
        self.pages.addWidget(self.start_page)
        self.setCentralWidget(self.pages)
        self._build_menus()
        self.start_page.set_recent(self.recent_files())
        self.statusBar().showMessage(self.tr("Ready"))

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.open_action = QAction(self.tr("&Open Bundle…"), self)
        self.open_action.setShortcut(QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.choose_bundle)
        file_menu.addAction(self.open_action)
        self.open_program_action = QAction(self.tr("Open &Program…"), self)
        self.open_program_action.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.open_program_action.triggered.connect(self.choose_program)
        file_menu.addAction(self.open_program_action)
        file_menu.addSeparator()
        quit_action = QAction(self.tr("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        about = QAction(self.tr("&About JudgePanel"), self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    # --- opening -------------------------------------------------------------

    def choose_bundle(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Open a judging bundle"), "", self.tr("Judging bundles (*.jpbundle)")
        )
        if path:
            self.open_path(path)

    def choose_program(self) -> None:
        path = QFileDialog.getExistingDirectory(self, self.tr("Open a program folder"))
        if path:
            self.open_path(path)

    def open_path(self, path: str) -> None:
        """Open a bundle or a program; feature pages connect to ``file_opened``."""
        self.remember(path)
        self.file_opened.emit(path)

    # --- recent files ----------------------------------------------------------

    def recent_files(self) -> list[str]:
        value = self.settings.value(RECENT_KEY, [])
        if isinstance(value, str):
            return [value]
        return [str(v) for v in value or []]

    def remember(self, path: str) -> None:
        paths = [path] + [p for p in self.recent_files() if p != path]
        self.settings.setValue(RECENT_KEY, paths[:RECENT_LIMIT])
        self.start_page.set_recent(self.recent_files())

    # --- drag and drop -----------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt override)
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt override)
        for url in event.mimeData().urls():
            if url.isLocalFile():
                self.open_path(url.toLocalFile())
                break

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            self.tr("About JudgePanel"),
            self.tr(
                "<b>JudgePanel {version}</b><p>Offline, end-to-end encrypted judging "
                "for award and grant programs.</p>"
            ).format(version=__version__),
        )

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.settings.sync()
        super().closeEvent(event)
