"""Where a program lives: folders, database addresses, and plain refusals when connecting fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from judgepanel.errors import ServerLoginError, WorkspaceError
from judgepanel.model.staff import location as location_module
from judgepanel.model.staff.location import (
    KEYRING_SERVICE,
    PasswordAnswer,
    connect,
    forget_password,
    locate,
    remember_password,
    stored_password,
    url_password,
)
from judgepanel.model.staff.workspace import StaffWorkspace
from tests.memory_keyring import MemoryKeyring


def test_a_folder_means_sqlite_and_a_url_means_a_server(tmp_path: Path) -> None:
    folder = locate(tmp_path / "program")
    assert not folder.on_server and folder.folder == (tmp_path / "program").resolve()
    assert folder.url.database == str((tmp_path / "program" / "program.sqlite").resolve())
    assert folder.display == str((tmp_path / "program").resolve())
    server = locate("postgres://maria:s3cret@db.example.org:6543/awards2026")
    assert server.on_server and server.folder is None
    assert server.url.drivername == "postgresql+psycopg"  # not psycopg2's default
    assert server.url.password is None
    assert "s3cret" not in server.display and "s3cret" not in repr(server)
    assert server.display == "postgresql://maria@db.example.org:6543/awards2026"
    assert server.account == "maria@db.example.org:6543/awards2026"
    assert url_password("postgres://maria:s3cret@db.example.org:6543/awards2026") == "s3cret"
    assert url_password(str(tmp_path)) is None


def test_a_remote_server_gets_tls_unless_the_address_chooses(tmp_path: Path) -> None:
    remote = locate("postgresql://maria@db.example.org/awards").connection_url.query
    assert remote["sslmode"] == "require" and remote["connect_timeout"] == "10"
    chosen = locate("postgresql://maria@db.example.org/awards?sslmode=verify-full"
                    "&sslrootcert=/etc/ca.crt").connection_url.query
    assert chosen["sslmode"] == "verify-full" and chosen["sslrootcert"] == "/etc/ca.crt"
    assert "sslmode" not in locate("postgresql://maria@localhost/awards").connection_url.query
    assert "sslmode" not in locate("postgresql://maria@127.0.0.1/awards").connection_url.query
    # The defaults are for connecting only: the address shown stays as written.
    assert locate("postgresql://maria@db.example.org/awards").display == \
        "postgresql://maria@db.example.org/awards"


@pytest.mark.parametrize(("address", "words"), [
    ("mysql://maria@db/awards", "PostgreSQL server only"),
    ("postgresql://maria@db.example.org", "names no database"),
    ("postgresql://maria@db/awards?colour=blue", "option JudgePanel does not know: colour"),
    ("postgresql://maria@db/awards?sslmode=sometimes", "is not a TLS mode"),
    ("postgresql+psycopg:/maria@db/awards", "slash missing"),
])
def test_addresses_we_cannot_use_are_refused_in_words(address: str, words: str) -> None:
    target: Any = Path(address) if address.count("//") == 0 else address
    with pytest.raises(WorkspaceError, match=words):
        locate(target)


def test_the_keyring_keeps_a_server_password_by_login(memory_keyring: MemoryKeyring) -> None:
    where = locate("postgresql://maria@db.example.org/awards")
    assert stored_password(where) is None
    assert remember_password(where, "s3cret")
    assert memory_keyring.get_password(KEYRING_SERVICE, "maria@db.example.org:5432/awards") \
        == "s3cret"
    assert stored_password(where) == "s3cret"
    assert forget_password(where) and stored_password(where) is None
    assert not forget_password(where)


class _Server:
    """Stands in for a server that wants the password "right" (the test server trusts all)."""

    def __init__(self) -> None:
        self.tried: list[str | None] = []

    def make_engine(self, url: Any) -> Any:
        self.tried.append(make_url(url).password)
        if make_url(url).password == "right":
            return create_engine("sqlite://")
        error = 'FATAL:  password authentication failed for user "maria"' \
            if make_url(url).password else "fe_sendauth: no password supplied"

        class Refusing:
            def connect(self) -> Any:
                raise OperationalError("SELECT 1", {}, Exception(error))

            def dispose(self) -> None:
                pass

        return Refusing()


def test_the_password_is_asked_when_the_server_wants_one(
        monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring) -> None:
    server = _Server()
    monkeypatch.setattr(location_module, "make_engine", server.make_engine)
    where = locate("postgresql://maria@db.example.org/awards")
    with pytest.raises(ServerLoginError, match="wants a password for “maria”"):
        connect(where)  # no prompt: the refusal says how to give one
    questions: list[str] = []
    answers = iter([PasswordAnswer("wrong"), PasswordAnswer("right", remember=True)])

    def ask(question: str) -> PasswordAnswer | None:
        questions.append(question)
        return next(answers)

    connect(where, ask_password=ask).dispose()
    assert questions[0] == "The server asks for the password of “maria”."
    assert questions[1].startswith("The server refused that password")
    assert stored_password(where) == "right"  # kept: it worked and the officer asked
    server.tried.clear()
    connect(where, ask_password=ask).dispose()  # now straight from the keyring
    assert server.tried == ["right"]
    remember_password(where, "stale")
    with pytest.raises(ServerLoginError, match="refused the password"):
        connect(where, ask_password=lambda _q: None)
    with pytest.raises(ServerLoginError):
        connect(where, ask_password=lambda _q: PasswordAnswer("wrong"), attempts=2)
    assert server.tried[-3:] == ["stale", "wrong", "wrong"]  # the kept one, then 2 asked


def test_an_unreachable_server_says_so_and_creates_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WorkspaceError, match="Could not reach a database server at "
                                             "127.0.0.1:1") as refused:
        StaffWorkspace.create("postgresql://maria@127.0.0.1:1/awards", "Shared")
    assert "Nothing was created" in refused.value.message
    assert list(tmp_path.iterdir()) == []  # no folder named after the address


def test_a_real_server_names_what_is_wrong(postgres_url: str) -> None:
    url = make_url(postgres_url)
    missing = url.set(database="jp_no_such_database").render_as_string(hide_password=False)
    with pytest.raises(WorkspaceError, match="There is no database “jp_no_such_database”"):
        StaffWorkspace.open(missing)
    nobody = url.set(username="jp_nobody").render_as_string(hide_password=False)
    with pytest.raises(WorkspaceError, match="has no user “jp_nobody”"):
        StaffWorkspace.open(nobody)
    with pytest.raises(WorkspaceError, match="secure \\(TLS\\) connection"):
        StaffWorkspace.open(postgres_url + "?sslmode=require")  # the test server has no TLS
    with pytest.raises(WorkspaceError, match="holds no program yet"):
        StaffWorkspace.open(postgres_url)  # an empty database
