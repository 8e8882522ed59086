"""One JudgePanel window per person: a second launch hands its file to the running one.

The first instance listens on a local socket (QLocalServer: a Unix socket only this
user may open, a named pipe on Windows) named after the user and the data folder,
so a test or a portable copy with its own JUDGEPANEL_HOME is an instance of its own.
A later launch connects, sends one line of JSON with the absolute path it was given
(or none, meaning "come to the front"), and exits. macOS never starts a second
copy: Finder sends the running app a QFileOpenEvent instead, which
:class:`DesktopApplication` turns into a signal.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtGui import QFileOpenEvent
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication

from judgepanel.paths import data_home

MAX_MESSAGE = 64 * 1024  # one path; anything longer is not from JudgePanel
TIMEOUT_MS = 2000


def server_name() -> str:
    """The socket name for this user and data folder (short: Unix socket paths are)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name (a container): the data folder still differs
        user = ""
    key = f"{user}|{data_home()}".encode()
    return "judgepanel-" + hashlib.sha256(key).hexdigest()[:20]


def hand_over(path: str | None, name: str, timeout_ms: int = TIMEOUT_MS) -> bool:
    """Give ``path`` to the JudgePanel already running; False when none answers."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    if path and "://" not in path:  # a shared program's address is not a file
        path = os.path.abspath(path)
    message = {"open": path or None}
    socket.write((json.dumps(message) + "\n").encode("utf-8"))
    sent = socket.waitForBytesWritten(timeout_ms)
    socket.disconnectFromServer()
    if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
        socket.waitForDisconnected(timeout_ms)
    return sent


class InstanceServer(QObject):
    """Listens for later launches; ``received`` carries a path, or "" for "show yourself"."""

    received = Signal(str)

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self.server.listen(name):
            # A socket left by a JudgePanel that crashed (nobody answered on it): take it.
            QLocalServer.removeServer(name)
            self.server.listen(name)
        self.server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}

    @property
    def listening(self) -> bool:
        return self.server.isListening()

    def _accept(self) -> None:
        while (socket := self.server.nextPendingConnection()) is not None:
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._closed(s))

    def _read(self, socket: QLocalSocket) -> None:
        data = self._buffers.get(socket, b"") + bytes(socket.readAll().data())
        if b"\n" not in data:
            if len(data) > MAX_MESSAGE:
                socket.abort()
            self._buffers[socket] = data
            return
        self._buffers[socket] = b""
        line = data.split(b"\n", 1)[0]
        try:
            message = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return
        if isinstance(message, dict):
            path = message.get("open")
            self.received.emit(path if isinstance(path, str) else "")

    def _closed(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def close(self) -> None:
        for socket in list(self._buffers):
            socket.abort()
        self._buffers.clear()
        self.server.close()


class DesktopApplication(QApplication):
    """The app's QApplication: macOS hands it double-clicked files as QFileOpenEvents.

    Finder sends the event to the application object itself, so overriding ``event``
    here catches it. (An event filter installed on the application would catch it too,
    but it sees every event of every widget: Python is called for each, and converting
    Qt's private objects to Python made PySide create some 150 enum types at start,
    about a fifth of the start-up time.)
    """

    file_open_requested = Signal(str)

    def event(self, event: QEvent) -> bool:  # Qt override
        if event.type() == QEvent.Type.FileOpen and isinstance(event, QFileOpenEvent):
            path = event.file() or event.url().toLocalFile()
            if path:
                self.file_open_requested.emit(path)
                return True
        return super().event(event)
