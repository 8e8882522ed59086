"""One JudgePanel window per person: a second launch hands its file to the running one.

The first instance listens on a local socket (QLocalServer: a Unix socket only this
user may open, a named pipe on Windows) named after the user and the data folder,
so a test or a portable copy with its own JUDGEPANEL_HOME is an instance of its own.
A later launch connects, sends one line of JSON with the absolute path it was given
(or none, meaning "come to the front"), and exits. macOS never starts a second
copy: Finder sends the running app a QFileOpenEvent instead (see file_open_events).

On Unix the socket is a file at a full path (see socket_folder), so a launch that
finds no file there knows at once that nobody listens. Then it needs no
QtNetwork before its window shows (about 6 ms of a 190 ms start); the server starts
once the window is up.
"""

from __future__ import annotations

import getpass
import os
import zlib
from typing import TYPE_CHECKING

from PySide6.QtCore import QDir, QObject, Signal

from judgepanel.paths import data_home

if TYPE_CHECKING:
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

MAX_MESSAGE = 64 * 1024  # one path; anything longer is not from JudgePanel
TIMEOUT_MS = 2000


def server_name() -> str:
    """The socket for this user and data folder: a full path on Unix, a pipe's name on
    Windows (short: Unix socket paths are)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name (a container): the data folder still differs
        user = ""
    # A checksum is enough to tell one person's data folders apart (nothing here is
    # secret, and a clash would only hand a file to the other window).
    key = f"{user}|{data_home()}".encode()
    name = f"judgepanel-{zlib.crc32(key):08x}-{zlib.adler32(key):08x}"
    return name if os.name == "nt" else os.path.join(socket_folder(), name)


def socket_folder() -> str:
    """Where the socket file goes: the person's own runtime folder on a Linux desktop
    (XDG_RUNTIME_DIR: only they may enter it, and it is emptied at logout), otherwise
    the temporary folder."""
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    return runtime if os.path.isabs(runtime) and os.path.isdir(runtime) else QDir.tempPath()


def hand_over(path: str | None, name: str, timeout_ms: int = TIMEOUT_MS) -> bool:
    """Give ``path`` to the JudgePanel already running; False when none answers."""
    if os.name != "nt" and not os.path.exists(name):
        return False  # no socket file: nobody listens (a pipe on Windows has no file)
    from PySide6.QtNetwork import QLocalSocket

    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return False
    if path and "://" not in path:  # a shared program's address is not a file
        path = os.path.abspath(path)
    import json  # as QtNetwork: only when another JudgePanel listens

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
        self.name = name
        self.server: QLocalServer | None = None
        self._buffers: dict[QLocalSocket, bytes] = {}

    def listen(self) -> None:
        """Start listening (the app does once its window is up: see the module's docstring)."""
        from PySide6.QtNetwork import QLocalServer

        if self.server is not None:
            return
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self.server.listen(self.name):
            # A socket left by a JudgePanel that crashed (nobody answered on it): take it.
            QLocalServer.removeServer(self.name)
            self.server.listen(self.name)
        self.server.newConnection.connect(self._accept)

    @property
    def listening(self) -> bool:
        return self.server is not None and self.server.isListening()

    def _accept(self) -> None:
        assert self.server is not None  # connected in listen
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
        import json  # a later launch's message: the first window did not wait for it

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
        if self.server is not None:
            self.server.close()
