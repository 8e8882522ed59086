"""``judgepanel identity new|card|list``: your keys and the card you send to others."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from judgepanel.crypto.identity import ROLES, normalize_fingerprint
from judgepanel.errors import (
    IdentityError,
    KeyringUnavailableError,
    ValidationError,
    WrongKeyError,
)
from judgepanel.formats.card import Card, write_card
from judgepanel.formats.keystore import IdentityStore

MAX_PASSPHRASE_FILE = 64 * 1024
KEPT = {"keyring": "keyring", "file": "passphrase file", None: "MISSING"}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "identity", help="create your keys and show the card you send to others"
    )
    actions = parser.add_subparsers(dest="identity_command", metavar="ACTION", required=True)

    new = actions.add_parser("new", help="create a new identity (keys + card)")
    new.add_argument("--name", required=True, help="your name as others will see it")
    new.add_argument("--role", required=True, choices=ROLES, help="judge or staff")
    new.add_argument(
        "--passphrase-file", type=Path, metavar="PATH",
        help="keep the keys in a file protected by the passphrase on this file's first "
        "line, instead of the system keyring",
    )
    new.set_defaults(func=run_new)

    card = actions.add_parser("card", help="print your card, or write it to a file")
    card.add_argument("--fingerprint", help="which identity (see `judgepanel identity list`)")
    card.add_argument("--role", choices=ROLES, help="your most recent identity in this role")
    card.add_argument("--out", type=Path, metavar="FILE", help="write the .jpcard file here")
    card.set_defaults(func=run_card)

    export = actions.add_parser(
        "export", help="write a passphrase-protected backup (.identity.age) of an identity",
        description="Write a backup of your identity, protected by a passphrase, to move it "
        "to another computer (there: “Use an identity file…”) or to give staff commands "
        "with --identity-file.")
    export.add_argument("--fingerprint", help="which identity (see `judgepanel identity list`)")
    export.add_argument("--role", choices=ROLES, help="your most recent identity in this role")
    export.add_argument("--out", type=Path, required=True, metavar="FILE",
                        help="the backup to write, e.g. me.identity.age")
    export.add_argument(
        "--passphrase-file", type=Path, required=True, metavar="PATH",
        help="a file whose first line is the passphrase that will protect the backup")
    export.add_argument(
        "--current-passphrase-file", type=Path, metavar="PATH",
        help="for keys kept in a passphrase file on this computer: its passphrase "
        "(default: the one in --passphrase-file)")
    export.set_defaults(func=run_export)

    list_ = actions.add_parser("list", help="list the identities on this computer")
    list_.set_defaults(func=run_list)


def read_passphrase_file(path: Path) -> str:
    """The first line of ``path`` (without its line ending); it must not be empty."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_PASSPHRASE_FILE)
        first = data.decode("utf-8").splitlines()[0] if data else ""
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationError(
            "The passphrase file could not be read. Check the path and that it is a text file.",
            detail=str(error), path=str(path),
        ) from None
    if not first.strip():
        raise ValidationError(
            "The passphrase file is empty: put the passphrase on its first line.",
            path=str(path),
        )
    return first


def run_new(args: argparse.Namespace) -> int:
    store = IdentityStore()
    passphrase = read_passphrase_file(args.passphrase_file) if args.passphrase_file else None
    try:
        identity = store.create(args.name, args.role, passphrase=passphrase)
    except KeyringUnavailableError as error:
        print(
            f"judgepanel: {error.message}\n"
            "  Run the command again with --passphrase-file PATH, where PATH is a file "
            "whose first line is the passphrase (delete that file afterwards).",
            file=sys.stderr,
        )
        if args.verbose and error.detail:
            print(f"  detail: {error.detail}", file=sys.stderr)
        return 2
    where = (
        f"a file protected by your passphrase: {store.secret_path(identity.fingerprint)}"
        if passphrase is not None
        else "the system keyring"
    )
    print(f"Created a {identity.role} identity.")
    print(f"  name:        {identity.name}")
    print(f"  role:        {identity.role}")
    print(f"  fingerprint: {identity.fingerprint}")
    print(f"  card:        {store.card_path(identity.fingerprint)}")
    print(f"  keys kept in {where}")
    if identity.role == "judge":
        print("Send the card file to the program staff, and read them the fingerprint "
              "when they call to confirm it.")
    return 0


def choose_card(store: IdentityStore, fingerprint: str | None, role: str | None) -> Card:
    if fingerprint:
        return store.card(normalize_fingerprint(fingerprint))
    if role:
        card = store.default(role)
        if card is None:
            raise IdentityError(
                f"You have no {role} identity yet. Create one with "
                f"`judgepanel identity new --name NAME --role {role}`."
            )
        return card
    cards = store.list()
    if not cards:
        raise IdentityError(
            "You have no identity yet. Create one with "
            "`judgepanel identity new --name NAME --role judge`."
        )
    if len(cards) > 1:
        raise IdentityError(
            f"You have {len(cards)} identities; choose one with --fingerprint or --role "
            "(see `judgepanel identity list`)."
        )
    return cards[0]


def run_card(args: argparse.Namespace) -> int:
    store = IdentityStore()
    card = choose_card(store, args.fingerprint, args.role)
    if args.out:
        write_card(args.out, card)
        print(f"Wrote the card of {card.name} ({card.role}, {card.fingerprint}) to {args.out}")
    else:
        sys.stdout.write(card.to_json().decode("utf-8"))
    return 0


def run_export(args: argparse.Namespace) -> int:
    store = IdentityStore()
    card = choose_card(store, args.fingerprint, args.role)
    if args.out.exists():
        raise ValidationError(
            f"{args.out} already exists. Choose another name, or move the old file first.",
            path=str(args.out))
    passphrase = read_passphrase_file(args.passphrase_file)
    current = None
    if store.needs_passphrase(card.fingerprint):
        current = (read_passphrase_file(args.current_passphrase_file)
                   if args.current_passphrase_file else passphrase)
    try:
        store.export_identity_file(card.fingerprint, args.out, passphrase=passphrase,
                                   current_passphrase=current)
    except WrongKeyError as error:
        if args.current_passphrase_file:
            raise
        raise WrongKeyError(
            "Your keys on this computer are protected by another passphrase than the one "
            "for the backup. Give that one with --current-passphrase-file PATH.",
            detail=error.detail) from None
    print(f"Wrote a backup of {card.name} ({card.role}, {card.fingerprint}) to {args.out}")
    print("  It opens only with the passphrase: keep the two apart, and the file somewhere safe.")
    return 0


def run_list(args: argparse.Namespace) -> int:
    store = IdentityStore()
    cards = store.list()
    if not cards:
        print("No identities on this computer yet. Create one with "
              "`judgepanel identity new --name NAME --role judge`.")
        return 0
    print(f"{'FINGERPRINT':<19}  {'ROLE':<5}  {'CREATED':<20}  {'KEYS IN':<15}  NAME")
    for card in cards:
        kept = KEPT[store.secret_location(card.fingerprint)]
        print(f"{card.fingerprint:<19}  {card.role:<5}  {card.created:<20}  {kept:<15}  "
              f"{card.name}")
    return 0
