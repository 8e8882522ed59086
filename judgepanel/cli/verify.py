"""``judgepanel verify FILE``: check a bundle, results file or card, one line per check.

The checks are ``formats.inspection``'s; this module reads the command line's keys
and passphrases. Exit status 0 means every check passed; 1 means at least one failed
(and why is on its line).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from judgepanel.crypto.age_keys import ScryptIdentity, parse_age_identities
from judgepanel.errors import (
    JudgePanelError,
    ValidationError,
)
from judgepanel.formats.card import Card
from judgepanel.formats.inspection import (
    Report,
    load_signer,
    local_keys,
    read_small_text,
    verify_file,
)
from judgepanel.formats.sealed import AnyIdentity


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "verify", help="check a bundle, results file or card and say who signed it",
        description="Check a .jpbundle, .jpresults or .jpcard file: decryption, structure, "
        "signature and every hash. Exit status 0 when every check passes.",
    )
    parser.add_argument("file", type=Path, help="the file to check")
    parser.add_argument(
        "--key", type=Path, metavar="IDENTITY_FILE", action="append", default=[],
        help="an age identity file (age-keygen format), or a JudgePanel identity file "
        "(.identity, or .identity.age with --passphrase-file), to decrypt with; may be "
        "repeated (default: the identities kept on this computer)",
    )
    parser.add_argument(
        "--identity-file", type=Path, metavar="PATH", action="append", default=[],
        help="a JudgePanel identity file (as for `staff merge`): a demo .identity file, or "
        "an exported .identity.age with --passphrase-file",
    )
    parser.add_argument(
        "--passphrase-file", type=Path, metavar="PATH",
        help="a file whose first line is a passphrase: of a passphrase bundle, of an "
        ".identity.age file given above, or of an identity kept on this computer in a "
        "passphrase file",
    )
    parser.add_argument(
        "--signer", type=Path, metavar="PUB",
        help="who must have signed it: a minisign .pub file or a .jpcard "
        "(the staff for a bundle, the judge's enrolled key for results)",
    )
    parser.set_defaults(func=run_verify)


def _is_identity_file(path: Path) -> bool:
    """A JudgePanel identity file (passphrase-protected, or a demo .identity), not age-keygen's."""
    from judgepanel.formats.identity_file import AGE_INTRO

    try:
        with path.open("rb") as handle:
            start = handle.read(len(AGE_INTRO))
    except OSError:
        return False
    return start == AGE_INTRO or path.name.endswith((".identity", ".identity.age"))


def load_identities(args: argparse.Namespace) -> tuple[list[AnyIdentity], list[Card]]:
    """The keys to decrypt with, and this computer's identities left locked.

    Every way ``staff merge`` unlocks the staff identity works here: ``--identity-file``
    (or ``--key``) with a JudgePanel identity file, protected or demo; this computer's
    identities in the keyring; and those kept in a passphrase file, with
    ``--passphrase-file``. ``--key`` also takes age-keygen files, and a passphrase also
    opens passphrase bundles.
    """
    from judgepanel.formats.identity_file import read_identity_file

    passphrase = None
    if args.passphrase_file:
        from judgepanel.cli.identity import read_passphrase_file

        passphrase = read_passphrase_file(args.passphrase_file)
    identities: list[AnyIdentity] = []
    files = [*getattr(args, "identity_file", []), *(k for k in args.key if _is_identity_file(k))]
    for path in files:
        identities.append(read_identity_file(path, passphrase=passphrase))
    for path in args.key:
        if path in files:
            continue
        try:
            identities.extend(parse_age_identities(read_small_text(path, "identity file")))
        except JudgePanelError as error:
            error.path = error.path or str(path)
            raise
    if passphrase is not None:
        identities.append(ScryptIdentity(passphrase))
    locked: list[Card] = []
    if not files and not args.key:
        found, locked = local_keys(passphrase)
        identities.extend(found)
    return identities, locked


def run_verify(args: argparse.Namespace) -> int:
    report = Report(sys.stdout, verbose=getattr(args, "verbose", False))
    path: Path = args.file
    if not path.is_file():
        raise ValidationError("There is no file here. Check the path.", path=str(path))
    signer = load_signer(args.signer) if args.signer else None
    left_locked: list[Card] = []

    def identities() -> list[AnyIdentity]:
        found, locked = load_identities(args)
        left_locked[:] = locked
        return found

    return 0 if verify_file(path, report, identities, signer, lambda: left_locked) else 1
