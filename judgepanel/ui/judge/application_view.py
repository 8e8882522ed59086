"""One application as the judge reads it: its fields, then its attachments.

Why this shape: application content comes from applicants, so it is never trusted
as markup. Every field is escaped and laid out by us; the text browser follows no
link and loads no resource, so nothing remote or scripted can run. Attachments are
decrypted into memory when the judge opens them and shown from there (QtPdf reads
from a QBuffer, images from bytes); nothing is written to disk. Decrypting a large
PDF takes a while, so it runs on the task runner behind a busy indicator; the
window stays responsive, and a result that arrives after the judge moved on to
another application or attachment is dropped.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QCoreApplication,
    QEvent,
    QIODevice,
    QModelIndex,
    QPointF,
    Qt,
)
from PySide6.QtGui import QImage, QKeyEvent, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from judgepanel.errors import JudgePanelError
from judgepanel.ui.tasks import Task, TaskRunner

if TYPE_CHECKING:
    from PySide6.QtCore import (
        QObject,
        QUrl,
    )

try:  # QtPdf ships in its own wheel (PySide6-Pdf); without it PDFs are listed, not shown.
    from PySide6.QtPdf import QPdfDocument
    from PySide6.QtPdfWidgets import QPdfView

    HAVE_PDF = True
except ImportError:  # pragma: no cover - depends on the installed wheels
    HAVE_PDF = False

try:
    from PySide6.QtPdf import QPdfSearchModel

    HAVE_PDF_SEARCH = True
except ImportError:  # pragma: no cover
    HAVE_PDF_SEARCH = False

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp")
HIDDEN_KEYS = frozenset({"id", "title", "attachments"})
"""The title is the heading already; attachments have their own chooser below."""
FIRST_KEYS = ("summary",)  # shown before the other fields, whatever the form's order

AttachmentLoader = Callable[[str], bytes]


def label_for(key: str) -> str:
    """"problem_statement" -> "Problem statement": field keys as a reader would write them."""
    text = key.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:] if text else key


def _value_html(value: Any, depth: int) -> str:
    if isinstance(value, dict):
        return "".join(_field_html(k, v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        items = "".join(f"<li>{_value_html(v, depth + 1)}</li>" for v in value)
        return f"<ul>{items}</ul>"
    if value is None or value == "":
        return "<p>—</p>"
    if isinstance(value, bool):
        answer = (QCoreApplication.translate("ApplicationView", "Yes") if value
                  else QCoreApplication.translate("ApplicationView", "No"))
        return f"<p>{answer}</p>"
    text = html.escape(str(value))
    paragraphs = [p.replace("\n", "<br>") for p in text.split("\n\n")]
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _field_html(key: str, value: Any, depth: int) -> str:
    level = min(3 + depth, 6)
    return f"<h{level}>{html.escape(label_for(str(key)))}</h{level}>{_value_html(value, depth)}"


def document_html(document: dict[str, Any]) -> str:
    """The whole application as escaped HTML (applicant text can never become markup).

    Bundles made by staff hold the form's answers under ``fields``; those are shown
    as the top level, a summary first, without repeating the title or the list of
    attachments.
    """
    rest = {k: v for k, v in document.items() if k != "fields"}
    fields = document.get("fields")
    items = list(fields.items()) if isinstance(fields, dict) else []
    items += list(rest.items()) if isinstance(fields, dict) else list(document.items())
    items = [(k, v) for k, v in items if str(k).casefold() not in HIDDEN_KEYS]
    items.sort(key=lambda kv: str(kv[0]).casefold() not in FIRST_KEYS)  # stable
    parts = [_field_html(k, v, 0) for k, v in items]
    empty = QCoreApplication.translate("ApplicationView", "This application has no fields.")
    return "".join(parts) or f"<p>{html.escape(empty)}</p>"


class SafeTextBrowser(QTextBrowser):
    """A text browser that follows no link and fetches no image or stylesheet."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)

    def loadResource(self, kind: int, url: QUrl | str) -> Any:  # noqa: N802 (Qt override)
        return None


class PdfViewer(QWidget):
    """A PDF shown from memory: pages, zoom, and search when QtPdf offers it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._buffer: QBuffer | None = None
        self._bytes: QByteArray | None = None
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setAccessibleName(self.tr("Attachment pages"))

        self.zoom_out = QPushButton(self.tr("−"))
        self.zoom_out.setAccessibleName(self.tr("Zoom out"))
        self.zoom_out.setToolTip(self.tr("Zoom out (Ctrl+-)"))
        self.zoom_out.clicked.connect(lambda: self.zoom_by(1 / 1.25))
        self.zoom_in = QPushButton(self.tr("+"))
        self.zoom_in.setAccessibleName(self.tr("Zoom in"))
        self.zoom_in.setToolTip(self.tr("Zoom in (Ctrl++)"))
        self.zoom_in.clicked.connect(lambda: self.zoom_by(1.25))
        self.fit = QPushButton(self.tr("Fit width"))
        self.fit.setAccessibleName(self.tr("Fit the page to the width"))
        self.fit.clicked.connect(
            lambda: self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth))
        for button in (self.zoom_out, self.zoom_in):
            button.setFixedWidth(32)
        self.pages_label = QLabel()

        bar = QHBoxLayout()
        bar.addWidget(self.zoom_out)
        bar.addWidget(self.zoom_in)
        bar.addWidget(self.fit)
        bar.addWidget(self.pages_label)
        bar.addStretch()
        self.search: QLineEdit | None = None
        self.search_model: Any = None  # QPdfSearchModel when available
        self.hits = QLabel()
        self.hits.setAccessibleName(self.tr("Matches"))
        self._hit = -1
        if HAVE_PDF_SEARCH:
            self.search_model = QPdfSearchModel(self)
            self.search_model.setDocument(self.document)
            self.view.setSearchModel(self.search_model)
            self.search = QLineEdit()
            self.search.setPlaceholderText(self.tr("Find in this document"))
            self.search.setAccessibleName(self.tr("Find in this document"))
            self.search.setToolTip(self.tr("Enter: next match; Shift+Enter: previous"))
            self.search.setClearButtonEnabled(True)
            self.search.returnPressed.connect(self.find_next)
            self.search.installEventFilter(self)
            self.search.textChanged.connect(self._search_for)
            # Matches arrive page by page while QtPdf searches: keep the count current.
            for signal in (self.search_model.rowsInserted, self.search_model.rowsRemoved,
                           self.search_model.modelReset):
                signal.connect(self._show_hits)
            self.previous_hit = QPushButton("‹")
            self.previous_hit.setAccessibleName(self.tr("Previous match"))
            self.previous_hit.setToolTip(self.tr("Previous match (Shift+F3)"))
            self.previous_hit.clicked.connect(self.find_previous)
            self.next_hit = QPushButton("›")
            self.next_hit.setAccessibleName(self.tr("Next match"))
            self.next_hit.setToolTip(self.tr("Next match (F3)"))
            self.next_hit.clicked.connect(self.find_next)
            for button in (self.previous_hit, self.next_hit):
                button.setFixedWidth(28)
            QShortcut(QKeySequence("F3"), self, self.find_next,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
            QShortcut(QKeySequence("Shift+F3"), self, self.find_previous,
                      context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
            bar.addWidget(self.search)
            bar.addWidget(self.previous_hit)
            bar.addWidget(self.next_hit)
            bar.addWidget(self.hits)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.view, stretch=1)

    def load(self, data: bytes) -> bool:
        """Show ``data``; False when QtPdf cannot read it (the caller says so)."""
        self.document.close()
        self._bytes = QByteArray(data)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document.load(self._buffer)
        ok = self.document.status() == QPdfDocument.Status.Ready
        count = self.document.pageCount()
        pages = self.tr("1 page") if count == 1 else self.tr("{n} pages").format(n=count)
        self.pages_label.setText(pages if ok else "")
        self._hit = -1
        self._show_hits()
        return ok and count > 0

    def zoom_by(self, factor: float) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.2, min(6.0, self.view.zoomFactor() * factor)))

    def match_count(self) -> int:
        if self.search_model is None:
            return 0
        return int(self.search_model.rowCount(QModelIndex()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if (watched is self.search and event.type() == QEvent.Type.KeyPress
                and isinstance(event, QKeyEvent)
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            self.find_previous()
            return True
        return super().eventFilter(watched, event)

    def _search_for(self, text: str) -> None:
        self._hit = -1
        self.search_model.setSearchString(text)
        self._show_hits()

    def _show_hits(self) -> None:
        count = self.match_count()
        if not self.search or not self.search.text():
            self.hits.setText("")
        elif count == 0:
            self.hits.setText(self.tr("No match"))
        elif self._hit < 0:
            self.hits.setText(self.tr("1 match") if count == 1
                              else self.tr("{n} matches").format(n=count))
        else:
            self.hits.setText(self.tr("{i} of {n}").format(i=self._hit + 1, n=count))

    def find_next(self) -> None:
        self._go(1)

    def find_previous(self) -> None:
        self._go(-1)

    def _go(self, step: int) -> None:
        """Move to the next (or previous) match and bring the view there: "3 of 12"."""
        count = self.match_count()
        if count:
            start = self._hit if self._hit >= 0 else (-1 if step > 0 else 0)
            self._hit = (start + step) % count
            link = self.search_model.resultAtIndex(self._hit)
            self.view.setCurrentSearchResultIndex(self._hit)
            self.view.pageNavigator().jump(link.page(), QPointF(link.location()),
                                           self.view.zoomFactor())
        self._show_hits()

    def clear(self) -> None:
        self.document.close()
        self._buffer = None
        self._bytes = None


class ApplicationView(QWidget):
    """The reading pane: fields on top, the chosen attachment below."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.runner = runner
        self._load: AttachmentLoader | None = None
        self._generation = 0  # bumped by every new application or attachment request
        self.loading: Task | None = None
        self.title = QLabel()
        self.title.setObjectName("applicationTitle")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.subtitle = QLabel()
        self.subtitle.setTextFormat(Qt.TextFormat.PlainText)
        self.subtitle.setWordWrap(True)

        self.fields = SafeTextBrowser()
        self.fields.setAccessibleName(self.tr("Application text"))

        self.attachments = QComboBox()
        self.attachments.setAccessibleName(self.tr("Attachments"))
        self.attachments.activated.connect(self._show_attachment)
        attach_label = QLabel(self.tr("&Attachment:"))
        attach_label.setBuddy(self.attachments)
        self.attachment_bar = QWidget()
        bar = QHBoxLayout(self.attachment_bar)
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(attach_label)
        bar.addWidget(self.attachments, stretch=1)

        self.viewer = QStackedWidget()
        self.message = QLabel()
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.viewer.addWidget(self.message)
        self.busy = QWidget()
        self.busy_label = QLabel()
        self.busy_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.busy_label.setWordWrap(True)
        self.busy_bar = QProgressBar()
        self.busy_bar.setRange(0, 0)  # busy: decryption reports no steps
        self.busy_bar.setTextVisible(False)
        self.busy_bar.setMaximumWidth(240)
        self.busy_bar.setAccessibleName(self.tr("Opening the attachment"))
        busy_layout = QVBoxLayout(self.busy)
        busy_layout.addStretch()
        busy_layout.addWidget(self.busy_label)
        busy_layout.addWidget(self.busy_bar, alignment=Qt.AlignmentFlag.AlignHCenter)
        busy_layout.addStretch()
        self.viewer.addWidget(self.busy)
        self.pdf: PdfViewer | None = PdfViewer() if HAVE_PDF else None
        if self.pdf is not None:
            self.viewer.addWidget(self.pdf)
        self.image = QLabel()
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setAccessibleName(self.tr("Attachment image"))
        self.image_scroll = QScrollArea()
        self.image_scroll.setWidget(self.image)
        self.image_scroll.setWidgetResizable(True)
        self.viewer.addWidget(self.image_scroll)

        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addWidget(self.attachment_bar)
        lower_layout.addWidget(self.viewer, stretch=1)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.splitter.addWidget(self.fields)
        self.splitter.addWidget(lower)
        self.splitter.setSizes([500, 300])
        self.user_sized = False  # the judge moved the divider (or it was restored)
        self.splitter.splitterMoved.connect(lambda *_: setattr(self, "user_sized", True))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.splitter, stretch=1)

    def show_application(self, summary: dict[str, Any], document: dict[str, Any],
                         attachment_names: list[str], load: AttachmentLoader) -> None:
        """Show one application; attachments are decrypted only when chosen."""
        self._generation += 1
        self._load = load
        self.title.setText(str(summary.get("title") or summary.get("id", "")))
        who = [str(summary[k]) for k in ("id", "applicant", "organisation", "city")
               if summary.get(k)]
        self.subtitle.setText(" · ".join(who))  # the reference first: titles can repeat
        self.fields.setHtml(document_html(document))
        self.attachments.clear()
        self.attachments.addItem(self.tr("Choose an attachment…"), "")
        for name in attachment_names:
            self.attachments.addItem(name, name)
        self.attachment_bar.setVisible(bool(attachment_names))
        self.viewer.setVisible(bool(attachment_names))
        self._message(self.tr("Choose an attachment above to read it here."))

    def _give_room_to_the_attachment(self) -> None:
        """A document open below: at least two thirds of the height for its pages (at
        1024 x 700 they had 170 px), unless the judge set the divider lower themselves."""
        sizes = self.splitter.sizes()
        total = sum(sizes)
        if total and sizes[1] < total * 2 // 3 and not self.user_sized:
            self.splitter.setSizes([total // 3, total - total // 3])

    def show_locked(self, summary: dict[str, Any], reason: str) -> None:
        """No content yet (not declared, or a conflict): say why, show nothing else."""
        self._generation += 1
        self._load = None
        self.title.setText(str(summary.get("title") or summary.get("id", "")))
        self.subtitle.setText(str(summary.get("id", "")))
        self.fields.setHtml(f"<p>{html.escape(reason)}</p>")
        self.attachments.clear()
        self.attachment_bar.hide()
        self.viewer.hide()
        if self.pdf is not None:
            self.pdf.clear()
        self.image.clear()

    def _message(self, text: str) -> None:
        self.message.setText(text)
        self.viewer.setCurrentWidget(self.message)
        if self.pdf is not None:
            self.pdf.clear()
        self.image.clear()

    def open_attachment(self, name: str) -> None:
        index = self.attachments.findData(name)
        if index >= 0:
            self.attachments.setCurrentIndex(index)
            self._show_attachment(index)

    def is_loading(self) -> bool:
        return self.viewer.currentWidget() is self.busy

    def _show_attachment(self, index: int) -> None:
        """Decrypt the chosen attachment on the task runner; show it when it arrives."""
        name = str(self.attachments.itemData(index) or "")
        if not name or self._load is None:
            return
        self._generation += 1
        generation, load = self._generation, self._load
        self.busy_label.setText(self.tr("Opening “{name}”…").format(name=name))
        self.viewer.setCurrentWidget(self.busy)
        if self.pdf is not None:
            self.pdf.clear()
        self.image.clear()

        def done(data: object) -> None:
            if generation == self._generation:  # else the judge has moved on: drop it
                assert isinstance(data, bytes)
                self._display(name, data)

        def failed(error: JudgePanelError) -> None:
            if generation == self._generation:
                self._message(str(error))

        self.loading = self.runner.start(lambda _progress: load(name), on_done=done,
                                         on_error=failed)

    def _display(self, name: str, data: bytes) -> None:
        self._give_room_to_the_attachment()
        lower = name.lower()
        if lower.endswith(".pdf"):
            if self.pdf is None:
                self._message(self.tr("PDF attachments cannot be shown: this installation "
                                      "of JudgePanel lacks its PDF module."))
            elif self.pdf.load(data):
                self.viewer.setCurrentWidget(self.pdf)
            else:
                self._message(self.tr("This PDF could not be read. Ask the program staff "
                                      "for another copy."))
        elif lower.endswith(IMAGE_SUFFIXES):
            image = QImage.fromData(data)
            if image.isNull():
                self._message(self.tr("This image could not be read."))
            else:
                self.image.setPixmap(QPixmap.fromImage(image))
                self.viewer.setCurrentWidget(self.image_scroll)
        else:
            self._message(self.tr("JudgePanel cannot show this kind of file ({name}). Its "
                                  "content stays inside the bundle.").format(name=name))
