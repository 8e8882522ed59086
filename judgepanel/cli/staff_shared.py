"""``judgepanel staff copy|upgrade|login|logout``: a program several officers share.

``copy`` moves a program between a folder and a PostgreSQL server (both ways, checked
before it counts: ``model.staff.transfer``); ``upgrade`` brings a shared database's
schema to this version, the explicit step a shared program needs; ``login`` keeps a
server password in this computer's keyring (checked first), ``logout`` forgets it.
See docs/shared-workspace.md.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from judgepanel.cli.staff_common import (
    ask_password,
    common_options,
    emit,
    json_errors,
    opened,
)
from judgepanel.errors import ValidationError
from judgepanel.model.staff.location import (
    forget_password,
    locate,
    remember_password,
    stored_password,
)


def register(steps: argparse._SubParsersAction) -> None:
    copy = steps.add_parser(
        "copy", help="copy the program to an empty folder or database (move it in or out)",
        description="Copy the whole program (rows, attachments, audit log) to an empty "
        "folder or an empty PostgreSQL database, from either kind to either kind. The copy "
        "is checked (row counts, attachments, the audit chain) before it is kept.")
    common_options(copy)
    copy.add_argument("--to", required=True, metavar="URL_OR_FOLDER",
                      help="where the copy goes: a new folder, or the address of an empty "
                      "PostgreSQL database")
    copy.set_defaults(func=json_errors(run_copy))

    upgrade = steps.add_parser(
        "upgrade", help="upgrade a shared program's database to this version",
        description="Bring the program's schema to this version of JudgePanel. A folder is "
        "upgraded when opened; a shared database only by this command, once every officer "
        "has closed the program (and after a backup: docs/shared-workspace.md).")
    common_options(upgrade)
    upgrade.set_defaults(func=json_errors(run_upgrade))

    login = steps.add_parser(
        "login", help="keep a database server's password in this computer's keyring",
        description="Ask for the password of the address's user, check it with the server, "
        "and keep it in this computer's keyring, so later commands and the app do not ask.")
    common_options(login)
    login.set_defaults(func=json_errors(run_login))

    logout = steps.add_parser("logout", help="forget a kept database password")
    common_options(logout)
    logout.set_defaults(func=json_errors(run_logout))


def _server(args: argparse.Namespace) -> None:
    if not locate(args.workspace).on_server:
        raise ValidationError("Give the address of a program on a database server with "
                              "--workspace (a folder needs no password).", path="workspace")


def run_copy(args: argparse.Namespace) -> int:
    from judgepanel.model.staff.transfer import copy_program

    def progress(done: int, total: int, label: str) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\r{label}… {done}/{total}   ", end="", file=sys.stderr, flush=True)

    with opened(args) as workspace:
        report = copy_program(workspace, args.to, ask_password=ask_password,
                              progress=progress)
    if not args.json and sys.stderr.isatty():
        print(file=sys.stderr)
    head = report.audit_head
    emit(args, {"to": report.target, "rows": report.rows, "attachments": report.attachments,
                "attachment_bytes": report.attachment_bytes,
                "audit_head": {"seq": head[0], "hash": head[1]} if head else None},
         [report.summary(),
          f"Open it with `judgepanel staff round list --workspace {report.target}`."])
    return 0


def run_upgrade(args: argparse.Namespace) -> int:
    from judgepanel.model.staff.workspace import StaffWorkspace

    before, after = StaffWorkspace.upgrade(args.workspace, ask_password=ask_password)
    changed = before != after
    emit(args, {"from": before, "to": after, "changed": changed},
         [f"Upgraded the program's schema from {before} to {after}." if changed else
          f"The program's schema is already at {after}; nothing to do."])
    return 0


def run_login(args: argparse.Namespace) -> int:
    from judgepanel.model.staff.location import connect

    _server(args)
    location = locate(args.workspace)
    if not sys.stdin.isatty():
        raise ValidationError("`staff login` asks for the password at a terminal.",
                              path="password")
    password = getpass.getpass(f"Password of “{location.url.username}” on "
                               f"{location.url.host}: ")
    connect(location, password=password).dispose()  # a wrong one is refused here
    kept = remember_password(location, password) and stored_password(location) == password
    if not kept:
        raise ValidationError(
            "The password is right, but this computer has no working keyring to keep it "
            "in. Type it when asked, or use PGPASSWORD or ~/.pgpass "
            "(docs/shared-workspace.md).", path="keyring")
    emit(args, {"account": location.account, "kept": True},
         [f"The password of {location.account} is kept in this computer's keyring."])
    return 0


def run_logout(args: argparse.Namespace) -> int:
    _server(args)
    location = locate(args.workspace)
    forgot = forget_password(location)
    emit(args, {"account": location.account, "forgotten": forgot},
         [f"Forgot the password of {location.account}." if forgot else
          f"No password of {location.account} was kept."])
    return 0

