"""What every ``judgepanel staff …`` command shares: options, the workspace, output, identities.

Why one place: scripts rely on every staff command behaving alike — the same
``--workspace`` default (the current folder; a database URL names a program shared
on a PostgreSQL server, docs/shared-workspace.md), ``--json`` printing one JSON
object on stdout (also for a refusal: ``{"ok": false, "error": …}``), a
non-zero exit on any refusal, and the same ways of naming a round, a judge
or an application.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import getpass
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from judgepanel.cli.messages import refusal_lines
from judgepanel.crypto.identity import Identity
from judgepanel.errors import IdentityError, JudgePanelError, ValidationError
from judgepanel.formats.card import Card
from judgepanel.model.scoring.ranking import BASES, DEFAULT_BASIS, Basis, parse_basis
from judgepanel.model.staff.location import PasswordAnswer
from judgepanel.model.staff.workspace import StaffWorkspace

Handler = Callable[[argparse.Namespace], int]


WORKSPACE_HELP = ("the program's workspace folder (default: the current folder), or the "
                  "address of a program shared on a PostgreSQL server, e.g. "
                  "postgresql://maria@db.example.org/awards2026?sslmode=verify-full")


def workspace_option(parser: argparse.ArgumentParser) -> None:
    """``--workspace PATH_OR_URL``: a folder, or a database URL (kept as written)."""
    parser.add_argument("--workspace", "-w", default=".", metavar="PATH_OR_URL",
                        help=WORKSPACE_HELP)


def common_options(parser: argparse.ArgumentParser) -> None:
    workspace_option(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object, for scripts")


def ask_password(question: str) -> PasswordAnswer | None:
    """The server's password, typed at the terminal (never echoed, never kept)."""
    if not sys.stdin.isatty():
        return None  # a script: the refusal says how to give it (staff login, PGPASSWORD)
    try:
        password = getpass.getpass(f"{question}\nPassword: ")
    except (EOFError, KeyboardInterrupt):
        return None
    return PasswordAnswer(password) if password else None


def basis_option(parser: argparse.ArgumentParser, *, default: Basis | None = DEFAULT_BASIS,
                 default_text: str = f"{DEFAULT_BASIS}") -> None:
    """``--basis raw|adjusted|z``; the old spelling ``normalised`` is read as z."""
    parser.add_argument(
        "--basis", type=_basis, default=default, metavar="|".join(BASES),
        help="rank by the raw mean, the score adjusted for judge leniency, or the mean "
             f"per-judge z-score (default {default_text}; 'normalised', the old name of z, "
             "still works)")


def _basis(text: str) -> Basis:
    try:
        return parse_basis(text)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(exc.message) from None


def identity_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--identity-file", type=Path, metavar="PATH",
        help="the staff identity from a file (a demo .identity file, or an exported "
        "passphrase-protected .identity.age) instead of this computer's identities",
    )
    parser.add_argument(
        "--passphrase-file", type=Path, metavar="PATH",
        help="a file whose first line is the passphrase of the staff identity",
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Path):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def emit(args: argparse.Namespace, data: dict[str, Any], lines: Sequence[str]) -> None:
    """Print the human summary, or (with --json) ``data`` as one JSON object."""
    if getattr(args, "json", False):
        json.dump({"ok": True, **data}, sys.stdout, default=_jsonable, ensure_ascii=False,
                  indent=2)
        sys.stdout.write("\n")
    else:
        for line in lines:
            print(line)


def json_errors(handler: Handler) -> Handler:
    """With --json, a refusal is also reported as JSON on stdout (the exit code stays 2)."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except JudgePanelError as error:
            if not getattr(args, "json", False):
                raise
            payload: dict[str, Any] = {"ok": False, "error": error.message,
                                       "kind": type(error).__name__}
            if error.detail:
                payload["detail"] = error.detail
            if error.path:
                payload["path"] = error.path
            rows = getattr(error, "rows", None)
            if rows:
                payload["rows"] = [{"row": r, "problem": p} for r, p in rows]
            json.dump(payload, sys.stdout, ensure_ascii=False, indent=2)
            sys.stdout.write("\n")
            for line in refusal_lines(error, verbose=getattr(args, "verbose", False)):
                print(line, file=sys.stderr)
            return 2

    return run


@contextmanager
def opened(args: argparse.Namespace) -> Iterator[StaffWorkspace]:
    workspace = StaffWorkspace.open(args.workspace, ask_password=ask_password)
    try:
        yield workspace
    finally:
        workspace.close()


# --- naming things ---------------------------------------------------------------------


# --- the staff identity ----------------------------------------------------------------




def read_passphrase(path: Path | None) -> str | None:
    if path is None:
        return None
    from judgepanel.cli.identity import read_passphrase_file

    return read_passphrase_file(path)


def staff_card_from_args(args: argparse.Namespace, fingerprint: str | None) -> Identity | Card:
    """The staff identity's public half: enough to set up a program, no passphrase needed."""
    if getattr(args, "identity_file", None):
        return identity_from_args(args, fingerprint)
    from judgepanel.formats.keystore import IdentityStore

    store = IdentityStore()
    card = store.card(fingerprint) if fingerprint else store.default("staff")
    if card is None:
        raise IdentityError(
            "There is no staff identity on this computer. Create one with "
            "`judgepanel identity new --name NAME --role staff`, or give --identity-file.")
    if card.role != "staff":
        raise IdentityError(
            f"“{card.name}” is a {card.role} identity; staff commands need a staff identity.")
    return card


def identity_from_args(args: argparse.Namespace, expected: str | None) -> Identity:
    """The staff identity: ``--identity-file`` or, from this computer, the program's key.

    ``expected`` is the fingerprint the program was set up with; an identity that does
    not match it is refused (it could not decrypt results sent to the program).
    """
    passphrase = read_passphrase(getattr(args, "passphrase_file", None))
    if getattr(args, "identity_file", None):
        from judgepanel.formats.identity_file import read_identity_file

        identity = read_identity_file(args.identity_file, passphrase=passphrase)
    else:
        from judgepanel.formats.keystore import IdentityStore, PassphraseNeededError

        store = IdentityStore()
        if expected is None:
            card = store.default("staff")
            if card is None:
                raise IdentityError(
                    "There is no staff identity on this computer. Create one with "
                    "`judgepanel identity new --name NAME --role staff`, or give "
                    "--identity-file.")
            expected = card.fingerprint
        if store.secret_location(expected) is None:
            raise IdentityError(
                f"This program's staff identity ({expected}) is not on this computer. "
                "Give it with --identity-file PATH: the staff identity file exported on "
                "the computer that set up the program (for the demo: keys/staff.identity).",
                detail=f"no keyring entry or passphrase file for {expected}")
        try:
            identity = store.load(expected, passphrase=passphrase)
        except PassphraseNeededError:
            raise IdentityError(
                "The staff identity is protected by a passphrase. Give it with "
                "--passphrase-file PATH (a file whose first line is the passphrase).",
                detail=f"fingerprint {expected}") from None
    if expected is not None and identity.fingerprint != expected:
        raise IdentityError(
            f"This is not the staff identity of this program (it is {identity.fingerprint}; "
            f"the program uses {expected}). Use the identity the program was set up with.",
            detail=f"identity {identity.name!r}")
    if identity.role != "staff":
        raise IdentityError(
            f"“{identity.name}” is a {identity.role} identity; staff commands need a staff "
            "identity.")
    return identity


def due_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--due", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                        help="when judges must send their results")
    parser.add_argument("--allow-past-due", action="store_true",
                        help="accept a due date that is already past")


def due_at(args: argparse.Namespace) -> dt.datetime | None:
    """The round's due moment (the end of the day, UTC); a past date is refused unless
    ``--allow-past-due``."""
    from judgepanel.model.staff.prepare.rounds import is_past_due

    if args.due is None:
        return None
    if is_past_due(args.due) and not args.allow_past_due:
        raise ValidationError(
            f"The due date {args.due:%Y-%m-%d} is already past. Give a later date, or add "
            "--allow-past-due if the round really is due then.", path="due")
    return dt.datetime.combine(args.due, dt.time(23, 59), tzinfo=dt.UTC)


def money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def parse_money(text: str, path: str) -> Decimal:
    """An amount typed by staff (``12500``, ``$12,500.00``), or a refusal naming ``path``."""
    from judgepanel.model.staff.prepare.importing.rows import AmbiguousAmount, parse_amount

    try:
        return parse_amount(text)
    except AmbiguousAmount as unclear:
        raise ValidationError(f"{unclear}.", path=path) from None
    except ValueError:
        raise ValidationError(f"“{text}” is not an amount of money.", path=path) from None
