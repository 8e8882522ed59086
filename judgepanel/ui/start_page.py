"""The first thing a person sees: open a judging bundle, or open/create a program."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from judgepanel.ui.icons import icon


class StartPage(QWidget):
    """Two large choices and the recently opened files."""

    open_bundle_requested = Signal()
    open_program_requested = Signal()
    recent_requested = Signal(str)
    identity_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("startPage")

        title = QLabel(self.tr("Welcome to JudgePanel"))
        title.setObjectName("startTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        title.setFont(font)
        subtitle = QLabel(
            self.tr(
                "Judge applications offline and send back signed results, "
                "or prepare a program for your panel."
            )
        )
        subtitle.setWordWrap(True)
        subtitle.setAlignment(Qt.AlignmentFlag.AlignHCenter)

        self.open_bundle_button = self._choice(
            "bundle",
            self.tr("Open a judging bundle"),
            self.tr("I am a judge and received a .jpbundle file"),
        )
        self.open_bundle_button.clicked.connect(self.open_bundle_requested)
        self.open_program_button = self._choice(
            "program",
            self.tr("Open or create a program"),
            self.tr("I am program staff preparing or merging a round"),
        )
        self.open_program_button.clicked.connect(self.open_program_requested)

        choices = QHBoxLayout()
        choices.addStretch()
        choices.addWidget(self.open_bundle_button)
        choices.addSpacing(24)
        choices.addWidget(self.open_program_button)
        choices.addStretch()

        # A new judge has no bundle yet: their first step is an identity and a card.
        self.identity_button = QPushButton(icon("identity"), self.tr("My &identity…"))
        self.identity_button.setAccessibleName(self.tr("My identity"))
        self.identity_button.setAccessibleDescription(self.tr(
            "Create your identity and send your card to the program staff, before any bundle"))
        self.identity_button.clicked.connect(self.identity_requested)
        identity_hint = QLabel(self.tr("New judge? Create your identity first and send your "
                                       "card to the program staff: they make your bundle "
                                       "with it."))
        identity_hint.setWordWrap(True)
        identity_hint.setMaximumWidth(520)
        identity_row = QHBoxLayout()
        identity_row.addStretch()
        identity_row.addWidget(identity_hint)
        identity_row.addWidget(self.identity_button)
        identity_row.addStretch()

        recent_label = QLabel(self.tr("Recently opened"))
        self.recent_list = QListWidget()
        self.recent_list.setAccessibleName(self.tr("Recently opened files"))
        self.recent_list.setMaximumHeight(160)
        self.recent_list.itemActivated.connect(
            lambda item: self.recent_requested.emit(item.data(Qt.ItemDataRole.UserRole))
        )
        recent_label.setBuddy(self.recent_list)
        self.recent_box = QWidget()
        recent_layout = QVBoxLayout(self.recent_box)
        recent_layout.setContentsMargins(0, 0, 0, 0)
        recent_layout.addWidget(recent_label)
        recent_layout.addWidget(self.recent_list)

        column = QVBoxLayout()
        column.addStretch()
        column.addWidget(title, alignment=Qt.AlignmentFlag.AlignHCenter)
        column.addWidget(subtitle)
        column.addSpacing(32)
        column.addLayout(choices)
        column.addSpacing(20)
        column.addLayout(identity_row)
        column.addSpacing(24)
        column.addWidget(self.recent_box)
        column.addStretch()

        outer = QHBoxLayout(self)
        outer.addStretch()
        outer.addLayout(column, stretch=3)
        outer.addStretch()
        self.set_recent([])

    def _choice(self, icon_name: str, text: str, hint: str) -> QToolButton:
        button = QToolButton()
        button.setIcon(icon(icon_name))
        button.setIconSize(QSize(48, 48))
        button.setText(f"{text}\n{hint}")
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        button.setFixedSize(QSize(320, 150))
        button.setAccessibleName(text)
        button.setAccessibleDescription(hint)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return button

    def set_recent(self, paths: list[str]) -> None:
        self.recent_list.clear()
        for path in paths:
            item = QListWidgetItem(path)
            item.setData(Qt.ItemDataRole.UserRole, path)
            self.recent_list.addItem(item)
        self.recent_box.setVisible(bool(paths))
