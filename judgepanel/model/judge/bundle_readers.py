"""The bundle as a judging session reads it: one thread per reader, checked whole on demand.

Why this exists: the bundle reader (``formats.bundle.Bundle``) seeks a single file
handle, so two threads must never use it at once. The judge app reads applications
on the GUI thread while attachments (large PDFs) decrypt in the background, so
attachments get a second reader of the same file, opened on first use and checked
to carry the very manifest the session was opened with. Each reader has its own
lock. :meth:`BundleReaders.verify` hash-checks every member and reports progress
in members (what a judge can read: "12 of 40"), not bytes.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from judgepanel.errors import DamagedFileError
from judgepanel.formats.bundle import DAMAGED, Bundle
from judgepanel.progress import Progress

VERIFY_LABEL = "Checking the bundle"
"""The label :meth:`BundleReaders.verify` reports with; screens show their own words."""

Reopen = Callable[[], Bundle]


class BundleReaders:
    """The session's bundle reader plus, when ``reopen`` is given, one for attachments."""

    def __init__(self, bundle: Bundle, path: Path, reopen: Reopen | None = None) -> None:
        self.bundle = bundle
        self.path = path
        self._reopen = reopen
        self._lock = threading.Lock()
        self._attachments: Bundle | None = None
        self._attachments_lock = threading.Lock()

    @property
    def manifest(self) -> dict[str, Any]:
        return self.bundle.manifest

    def application(self, app_id: str) -> dict[str, Any]:
        with self._lock:
            return self.bundle.application(app_id)

    def attachment_names(self, app_id: str) -> list[str]:
        return self.bundle.attachment_names(app_id)  # from the manifest: no file access

    def attachment(self, app_id: str, name: str) -> bytes:
        """Safe from a worker thread while another thread reads applications."""
        if self._reopen is None:  # a single reader, built by hand: share its lock
            with self._lock:
                return self.bundle.attachment(app_id, name)
        with self._attachments_lock:
            return self._attachment_reader().attachment(app_id, name)

    def _attachment_reader(self) -> Bundle:
        if self._attachments is None:
            assert self._reopen is not None
            reader = self._reopen()
            if reader.manifest_sha256 != self.bundle.manifest_sha256:
                reader.close()
                raise DamagedFileError(
                    "The bundle file changed on disk while it was open. Close it and open "
                    "it again; if this repeats, ask the program staff for a new copy.",
                    detail=f"manifest {reader.manifest_sha256}, opened with "
                    f"{self.bundle.manifest_sha256}", path=str(self.path))
            self._attachments = reader
        return self._attachments

    def verify(self, progress: Progress | None = None) -> None:
        """Hash-check every member against the signed manifest (``DamagedFileError`` if not).

        Progress is ``(members checked, members, VERIFY_LABEL)``, once per member.
        """
        members = self.bundle.manifest["members"]
        count = len(members)
        ends: list[int] = []
        total = 0
        for member in members:
            total += int(member["size"])
            ends.append(total)
        shown = -1

        def in_members(done: int, total: int = total, label: str = VERIFY_LABEL) -> None:
            nonlocal shown
            n = count if done >= total else bisect.bisect_right(ends, done)
            if n != shown:  # one report per member, not per decrypted chunk
                shown = n
                if progress is not None:
                    progress(n, count, VERIFY_LABEL)

        in_members(0, total, VERIFY_LABEL)
        with self._lock:
            try:
                self.bundle.verify_all(in_members)
            except DamagedFileError as error:  # the age layer's words name no sender
                raise DamagedFileError(DAMAGED, detail=error.detail or error.message,
                                       path=str(self.path)) from None
        in_members(total, total, VERIFY_LABEL)

    def close(self) -> None:
        with self._lock:
            self.bundle.close()
        with self._attachments_lock:
            if self._attachments is not None:
                self._attachments.close()
                self._attachments = None
