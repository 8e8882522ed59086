"""Where a program lives: a folder (SQLite) or a database on a server (PostgreSQL).

A folder keeps meaning what it always meant: ``program.sqlite`` plus
``attachments/`` on this computer. A database URL (``postgresql://maria@db.example.org/
awards2026?sslmode=verify-full&sslrootcert=ca.crt``) names a program several officers
share. This module reads such an address, refuses anything that is not one we can use,
and connects, saying plainly why not when it cannot: a wrong address, a server that
does not answer, a database that does not exist, a refused password, a failed TLS
handshake. Nothing is created while finding out.

Passwords: never part of what is shown, logged or remembered (recent files, settings).
They come from the URL itself (discouraged: shell history keeps it), from this
computer's keyring (service ``JudgePanel database``, account ``user@host:port/database``,
see :func:`remember_password`), from libpq's own ``PGPASSWORD``/``~/.pgpass``, or from
a question asked when the server wants one. A server other than this computer gets an
encrypted connection (``sslmode=require``) unless the address asks for another mode.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import keyring
from sqlalchemy import Engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from judgepanel.errors import ServerLoginError, WorkspaceError
from judgepanel.model.storage.engine import make_engine

log = logging.getLogger(__name__)

DATABASE_NAME = "program.sqlite"
KEYRING_SERVICE = "JudgePanel database"
DRIVER = "postgresql+psycopg"
# libpq's connection options an address may carry (docs/shared-workspace.md).
SERVER_OPTIONS = frozenset({
    "sslmode", "sslrootcert", "sslcert", "sslkey", "sslcrl", "sslpassword",
    "connect_timeout", "application_name", "host", "port", "target_session_attrs",
    "options", "keepalives", "keepalives_idle", "gssencmode", "channel_binding",
})
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
LOCAL_HOSTS = frozenset({"", "localhost", "127.0.0.1", "::1"})
_URL_LIKE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/")

# (the question to show, e.g. "The server asks for the password of maria") -> an answer
PasswordPrompt = Callable[[str], "PasswordAnswer | None"]


@dataclass(frozen=True)
class PasswordAnswer:
    password: str
    remember: bool = False  # keep it in this computer's keyring once it worked


@dataclass(frozen=True)
class ProgramLocation:
    """A program's address: ``url`` never holds a password; ``folder`` is None on a server."""

    url: URL
    folder: Path | None

    @property
    def on_server(self) -> bool:
        return self.url.get_backend_name() != "sqlite"

    @property
    def display(self) -> str:
        """What people see and what recent files keep: the folder, or the URL sans password."""
        if self.folder is not None and self.url.get_backend_name() == "sqlite":
            return str(self.folder)
        url = self.url.set(drivername="postgresql") if self.on_server else self.url
        return url.render_as_string(hide_password=False)

    @property
    def connection_url(self) -> URL:
        """The URL connections use: the address plus JudgePanel's defaults.

        A server other than this computer gets TLS (``sslmode=require``) unless the
        address chose a mode; a server that does not answer is given up on after 10 s.
        """
        if not self.on_server:
            return self.url
        query = dict(self.url.query)
        host = self.url.host or ""
        if "sslmode" not in query and host not in LOCAL_HOSTS and not host.startswith("/"):
            query["sslmode"] = "require"  # never a password or an application in clear
        query.setdefault("connect_timeout", "10")
        query.setdefault("application_name", "JudgePanel")
        return self.url.set(query=query)

    @property
    def account(self) -> str:
        """The keyring account of this server login: ``user@host:port/database``."""
        url = self.url
        host = url.host or url.query.get("host") or "localhost"
        return f"{url.username or ''}@{host}:{url.port or 5432}/{url.database or ''}"


def _refuse(message: str, target: str, detail: str = "") -> WorkspaceError:
    return WorkspaceError(message, detail=detail, path=target)


def locate(target: Path | str) -> ProgramLocation:
    """The location ``target`` names: a folder path, or a database URL (checked, not opened)."""
    if isinstance(target, str) and "://" in target:
        return _server_location(target)
    written = str(target)
    if _URL_LIKE.match(written) and not re.match(r"^[A-Za-z]:[/\\]", written):
        # A URL that went through a file path and lost a slash ("postgresql:/maria@...").
        raise _refuse("This looks like a database address with a slash missing. Write it "
                      "as postgresql://user@server/database.", written)
    folder = Path(target).expanduser().resolve()
    url = URL.create("sqlite+pysqlite", database=str(folder / DATABASE_NAME))
    return ProgramLocation(url, folder)


def _server_location(written: str) -> ProgramLocation:
    shown = _without_password(written)
    try:
        url = make_url(written)
    except ArgumentError as exc:
        raise _refuse("This is not a database address JudgePanel can read. Write it as "
                      "postgresql://user@server/database.", shown, str(exc)) from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        database = url.database
        if database in (None, "", ":memory:"):
            return ProgramLocation(url, None)
        return ProgramLocation(url, Path(database).resolve().parent)
    if backend not in ("postgresql", "postgres"):
        raise _refuse(
            f"JudgePanel shares programs on a PostgreSQL server only; “{url.drivername}” "
            "is not one. Give a PostgreSQL address (postgresql://user@server/database) or "
            "a folder.", shown)
    if "+" not in url.drivername or backend == "postgres":
        url = url.set(drivername=DRIVER)  # plain postgresql:// would pick psycopg2
    if not url.database:
        raise _refuse("The address names no database. Add it after the server: "
                      "postgresql://user@server/database.", shown)
    unknown = sorted(set(url.query) - SERVER_OPTIONS)
    if unknown:
        raise _refuse(f"The address has an option JudgePanel does not know: "
                      f"{', '.join(unknown)}. See docs/shared-workspace.md for the options.",
                      shown)
    mode = url.query.get("sslmode")
    if mode is not None and mode not in SSL_MODES:
        raise _refuse(f"“sslmode={mode}” is not a TLS mode. Use verify-full (best), "
                      "require, or disable on a trusted network only.", shown)
    return ProgramLocation(_without_secret(url), None)


def _without_secret(url: URL) -> URL:
    # (``URL.set(password=None)`` would keep it: None there means "unchanged")
    return URL.create(url.drivername, url.username, None, url.host, url.port, url.database,
                      url.query)


def _without_password(written: str) -> str:
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1@", written)


def url_password(target: Path | str) -> str | None:
    """The password written in ``target`` itself, if any (never kept beyond opening)."""
    if not isinstance(target, str) or "://" not in target:
        return None
    try:
        password = make_url(target).password
    except ArgumentError:
        return None
    return None if password is None else str(password)


# --- the keyring --------------------------------------------------------------------


def stored_password(location: ProgramLocation) -> str | None:
    """The password kept in this computer's keyring for this login, if any."""
    try:
        value: str | None = keyring.get_password(KEYRING_SERVICE, location.account)
        return value
    except Exception as exc:  # no usable keyring: as if nothing were stored
        log.info("keyring lookup failed: %s", exc)
        return None


def remember_password(location: ProgramLocation, password: str) -> bool:
    """Keep the password in this computer's keyring; False when there is no usable one."""
    try:
        keyring.set_password(KEYRING_SERVICE, location.account, password)
    except Exception as exc:
        log.info("keyring refused the password: %s", exc)
        return False
    return True


def forget_password(location: ProgramLocation) -> bool:
    """Remove a kept password; False when none was kept."""
    try:
        keyring.delete_password(KEYRING_SERVICE, location.account)
    except Exception:
        return False
    return True


# --- connecting ---------------------------------------------------------------------


def _reason(error: BaseException) -> tuple[str, str]:
    """(kind, the server's own words) of a failed connection."""
    words = " ".join(str(error).split())
    low = words.lower()
    sqlstate = getattr(error, "sqlstate", None)
    if sqlstate == "28P01" or "password authentication failed" in low:
        return "bad_password", words
    if "no password supplied" in low or "password is required" in low:
        return "password", words
    if sqlstate == "3D000" or ("database" in low and "does not exist" in low):
        return "no_database", words
    if "role" in low and "does not exist" in low:
        return "no_user", words
    if "ssl" in low or "certificate" in low or "tls" in low:
        return "tls", words
    if "invalid connection option" in low or "invalid sslmode" in low:
        return "option", words
    return "unreachable", words


def _connection_refusal(kind: str, location: ProgramLocation, words: str) -> WorkspaceError:
    url = location.url
    server = f"{url.host or 'this computer'}" + (f":{url.port}" if url.port else "")
    messages = {
        "bad_password": f"The server refused the password of “{url.username}”. Check it "
                        "and try again (a password kept in this computer's keyring may be "
                        "out of date: `judgepanel staff logout` forgets it).",
        "password": f"The server at {server} wants a password for “{url.username}”. Run "
                    "`judgepanel staff login` once to keep it in this computer's keyring, "
                    "or type it when asked.",
        "no_database": f"There is no database “{url.database}” on the server at {server}. "
                       "Check its name, or ask whoever runs the server to create it "
                       "(docs/shared-workspace.md). Nothing was created.",
        "no_user": f"The server at {server} has no user “{url.username}”. Check the user "
                   "name, or ask whoever runs the server to create it.",
        "tls": f"The secure (TLS) connection to {server} failed. Check the address's "
               "sslmode and certificate files (docs/shared-workspace.md); a server that "
               "offers no TLS can be used on a trusted network only, with sslmode=disable.",
        "option": "The address has a connection option the database driver refuses. See "
                  "docs/shared-workspace.md for the options.",
        "unreachable": f"Could not reach a database server at {server}. Check the address "
                       "and port, that the server is running, and that this computer may "
                       "connect to it (a firewall, a VPN). Nothing was created.",
    }
    kind_of_error = ServerLoginError if kind in ("password", "bad_password") else WorkspaceError
    return kind_of_error(messages[kind], detail=words, path=location.display)


def connect(location: ProgramLocation, *, password: str | None = None,
            ask_password: PasswordPrompt | None = None, attempts: int = 3) -> Engine:
    """An engine on ``location`` whose first connection worked, or a plain refusal.

    The password is ``password`` (from the address), else the keyring's, else none
    (libpq's ``PGPASSWORD``/``~/.pgpass``, a certificate, or a server that needs none);
    when the server wants one or refuses it, ``ask_password`` is asked (up to
    ``attempts`` times). An answer marked ``remember`` is kept in the keyring once it
    worked. An SQLite location gets its engine without a probe.
    """
    if not location.on_server:
        return make_engine(location.url)
    answer: PasswordAnswer | None = None
    if password is None:
        password = stored_password(location)
    for attempt in range(attempts + 1):
        url = location.connection_url
        url = url if password is None else url.set(password=password)
        try:
            engine = make_engine(url)
        except NoSuchModuleError as exc:
            raise WorkspaceError(
                "The PostgreSQL driver (psycopg) is not installed with this JudgePanel. "
                "Install it with `pip install 'psycopg[binary]'`.", detail=str(exc),
                path=location.display) from None
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except DBAPIError as exc:
            engine.dispose()
            kind, words = _reason(exc.orig or exc)
            if kind not in ("password", "bad_password") or ask_password is None \
                    or attempt == attempts:
                raise _connection_refusal(kind, location, words) from None
            question = (f"The server asks for the password of “{location.url.username}”."
                        if kind == "password" or answer is None else
                        f"The server refused that password for “{location.url.username}”. "
                        "Try again.")
            answer = ask_password(question)
            if answer is None:
                raise _connection_refusal(kind, location, words) from None
            password = answer.password
            continue
        if answer is not None and answer.remember and password is not None:
            remember_password(location, password)
        return engine
    raise AssertionError("unreachable")  # pragma: no cover (the loop returns or raises)
