"""Typed errors whose message a judge or staff member can act on.

Every refusal in JudgePanel raises a subclass of :class:`JudgePanelError`.
``str(error)`` is the plain-language message the UI and the CLI show; ``detail``
carries the technical reason for logs and ``--verbose`` output.
"""

from __future__ import annotations


class JudgePanelError(Exception):
    """Base class: ``message`` is for people, ``detail`` is for logs."""

    def __init__(self, message: str, *, detail: str = "", path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail
        self.path = path

    def __str__(self) -> str:
        if self.path:
            return f"{self.path}: {self.message}"
        return self.message


# --- opening files -----------------------------------------------------------


class FileFormatError(JudgePanelError):
    """The file is not one we can read (wrong kind, unsupported feature)."""


class NewerVersionError(FileFormatError):
    """The file was made by a newer JudgePanel than this one."""


class DamagedFileError(JudgePanelError):
    """Authentication failed: the file is damaged or was changed after it was made."""


class WrongKeyError(JudgePanelError):
    """None of the keys or passphrases we have opens this file."""


class SignatureError(JudgePanelError):
    """A signature is missing, malformed, by the wrong key, or does not verify."""


# --- identities ----------------------------------------------------------------


class IdentityError(JudgePanelError):
    """An identity is missing, locked, or cannot be stored."""


class KeyringUnavailableError(IdentityError):
    """No usable OS keyring: secrets must go to a passphrase-protected file."""


# --- staff workflows -------------------------------------------------------------


class ValidationError(JudgePanelError):
    """Input (a rubric, a form, a score) breaks a rule; ``path`` names the field."""


class ImportRowsError(JudgePanelError):
    """An import found bad rows; ``rows`` lists (row number, reason) pairs."""

    def __init__(self, message: str, rows: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.rows = rows


class ResultsRefusedError(JudgePanelError):
    """A results file was refused at merge; ``reason`` is a stable code."""

    def __init__(self, message: str, reason: str, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.reason = reason


class WorkspaceError(JudgePanelError):
    """A workspace is missing, locked, or from a newer version."""


class ServerLoginError(WorkspaceError):
    """A database server wants a password, or refused the one given: ask and try again."""


class ConcurrentChangeError(WorkspaceError):
    """Another officer changed the same part of a shared program at the same moment.

    Nothing of this step was saved; doing it again (the app does, once or twice)
    usually succeeds.
    """


class StaleEditError(JudgePanelError):
    """An edit was made from a view another officer has changed since.

    ``current`` says the new value in words, ``changed_by`` who changed it (when
    known), ``version`` the row's version now: an edit made from it may go ahead.
    """

    def __init__(self, message: str, *, current: str, changed_by: str | None = None,
                 version: int | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.current = current
        self.changed_by = changed_by
        self.version = version


class Cancelled(JudgePanelError):
    """The person cancelled a long operation; nothing was changed."""

    def __init__(self, message: str = "Cancelled. Nothing was changed.") -> None:
        super().__init__(message)
