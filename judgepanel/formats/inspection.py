"""Checking any JudgePanel file, one line per check: what ``judgepanel verify`` prints.

It says what the file is, for which program, round and judge, who signed it (key id and
fingerprint), then each check with ✓ or ✗. The command line (``cli/verify.py``) and the
desktop app (a results file it was asked to open) show the same lines. The same checks
can be done by hand with ``age`` and ``minisign`` (docs/formats.md section 7).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

from judgepanel.crypto.minisign import PublicKey
from judgepanel.errors import (
    JudgePanelError,
    NewerVersionError,
    SignatureError,
    ValidationError,
    WrongKeyError,
)
from judgepanel.formats.bundle import Bundle
from judgepanel.formats.card import Card, read_card
from judgepanel.formats.detect import (
    WORK_FILE_IS_NOT_RESULTS,
    FileKind,
    detect_file,
    detect_payload,
)
from judgepanel.formats.keystore import IdentityStore
from judgepanel.formats.results.file import results_from_sealed
from judgepanel.formats.sealed import AnyIdentity, SealedZip
from judgepanel.text import plural

MAX_KEY_FILE = 64 * 1024
# A key that does not fit and a header damaged on the way look alike to age (the file
# key fails to unwrap either way), so the message names both rather than guess.
WRONG_KEY = ("None of your keys opens this {what}: it was made for another key, or its "
             "header was damaged on the way. If it should be yours, ask for a new copy.")


class Report:
    """Prints the header lines and one ✓/✗ line per check; remembers any failure."""

    def __init__(self, out: TextIO, verbose: bool = False) -> None:
        self.out = out
        self.verbose = verbose
        self.failed = False
        encoding = getattr(out, "encoding", None) or "utf-8"
        try:
            "✓✗".encode(encoding)
            self.marks = ("✓", "✗", "!")
        except (UnicodeEncodeError, LookupError):  # a console that cannot show them
            self.marks = ("OK ", "FAIL", "!")

    def line(self, text: str) -> None:
        print(text, file=self.out)

    def field(self, label: str, value: str) -> None:
        self.line(f"  {label + ':':<12} {value}")  # "Fingerprint:" the longest

    def ok(self, check: str) -> None:
        self.line(f"  {self.marks[0]} {check}")

    def warn(self, text: str) -> None:
        self.line(f"  {self.marks[2]} {text}")

    def fail(self, check: str, error: JudgePanelError | str) -> None:
        self.failed = True
        message = error.message if isinstance(error, JudgePanelError) else error
        self.line(f"  {self.marks[1]} {check}: {message}")
        if self.verbose and isinstance(error, JudgePanelError) and error.detail:
            self.line(f"      detail: {error.detail}")


# --- inputs -------------------------------------------------------------------------------


def read_small_text(path: Path, what: str) -> str:
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_KEY_FILE + 1)
        if len(data) > MAX_KEY_FILE:
            raise ValueError("file too large")
        return data.decode("utf-8")
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ValidationError(f"The {what} could not be read. Check the path.",
                              detail=str(error), path=str(path)) from None


def local_identities() -> list[AnyIdentity]:
    """Identities on this computer that open without a passphrase (those in the keyring)."""
    return local_keys(None)[0]


def local_keys(passphrase: str | None = None) -> tuple[list[AnyIdentity], list[Card]]:
    """Identities on this computer: those in the keyring, those in a passphrase file that
    ``passphrase`` opens, and (second) the cards of those still locked."""
    store = IdentityStore()
    found: list[AnyIdentity] = []
    locked: list[Card] = []
    for card in store.list():
        try:
            if not store.needs_passphrase(card.fingerprint):
                found.append(store.load(card.fingerprint))
            elif passphrase is None:
                locked.append(card)
            else:
                found.append(store.load(card.fingerprint, passphrase=passphrase))
        except WrongKeyError:  # not this identity's passphrase
            locked.append(card)
        except JudgePanelError:
            continue
    return found, locked


def load_signer(path: Path) -> tuple[PublicKey, Card | None]:
    """A minisign public key from a .pub file or a .jpcard."""
    if detect_file(path) is FileKind.CARD:
        card = read_card(path)
        return card.public_key, card
    text = read_small_text(path, "signer's public key")
    try:
        return PublicKey.from_string(text), None
    except SignatureError as error:
        error.path = str(path)
        raise


def signer_label(key: PublicKey, card: Card | None) -> str:
    if card is None:
        return f"key id {key.key_id_hex}"
    return f"{card.name} ({card.fingerprint}, key id {key.key_id_hex})"


# --- the checks ------------------------------------------------------------------------------


def open_sealed(path: Path, identities: Sequence[AnyIdentity], kind: FileKind,
                report: Report, locked: Sequence[Card] = ()) -> SealedZip | None:
    what = "results file" if kind is FileKind.RESULTS else "bundle"
    wrong = WRONG_KEY.format(what=what)
    try:
        sealed = SealedZip.decrypt(path, identities, what=what, wrong_key_message=wrong)
    except WrongKeyError as error:
        if locked:
            names = ", ".join(f"“{c.name}” ({c.fingerprint})" for c in locked)
            report.fail("decrypts with your key", (
                f"your identity {names} is locked: it is kept in a passphrase file on this "
                "computer. Give its passphrase with --passphrase-file PATH (a file whose "
                "first line is the passphrase)") if len(locked) == 1 else (
                f"your identities {names} are locked: they are kept in passphrase files on "
                "this computer. Give the passphrase with --passphrase-file PATH"))
        elif not identities:
            report.fail("decrypts", "no key to try: give --key IDENTITY_FILE or "
                                    "--identity-file PATH (or --passphrase-file for a "
                                    "passphrase bundle)")
        else:
            report.fail("decrypts with your key", error)
        return None
    except JudgePanelError as error:
        report.fail("is an intact age file", error)
        return None
    report.ok(f"decrypts with your key (age, {sealed.plain.size:,} bytes inside)")
    try:
        sealed.parse_zip()
    except JudgePanelError as error:
        report.fail("ZIP structure", error)
        return None
    report.ok(f"ZIP structure is sound ({len(sealed.zip.entries)} members, stored, no links "
              "or unsafe names)")
    return sealed


def check_bundle(sealed: SealedZip, signer: tuple[PublicKey, Card | None] | None,
                 report: Report) -> None:
    try:
        bundle = Bundle.from_sealed(sealed)
    except NewerVersionError as error:
        report.fail("format version", error)
        return
    except SignatureError as error:
        report.fail("staff signature over the manifest", error)
        return
    except JudgePanelError as error:
        report.fail("manifest", error)
        return
    with bundle:
        m = bundle.manifest
        key = bundle.staff_public_key
        report.field("Program", f"{m['program']['name']} ({m['program']['id']})")
        report.field("Round", f"{m['round']['name']} ({m['round']['id']})")
        report.field("Bundle", f"{m['bundle_id']}, created {m['created']}"
                     + (f", due {m['due']}" if m["due"] else ""))
        report.field("Judge", f"{m['judge']['name']} ({m['judge']['fingerprint']})")
        report.field("Signed by", f"{m['staff']['name']} (staff), key id {key.key_id_hex}, "
                     f"fingerprint {m['staff']['fingerprint']}")
        report.field("Contents", f"{plural(len(m['applications']), 'application')}, "
                     f"{plural(len(m['members']), 'file')}")
        report.ok(f"manifest is valid (format version {m['format_version']})")
        report.ok("staff signature over the manifest verifies; its trusted comment names "
                  "this bundle")
        check_signer(key, signer, "staff", report)
        try:
            bundle.verify_all()
        except JudgePanelError as error:
            report.fail("every file matches the manifest", error)
        else:
            report.ok(f"every file matches its size and SHA-256 in the manifest "
                      f"({len(m['members'])} files)")


def check_signer(key: PublicKey, signer: tuple[PublicKey, Card | None] | None, role: str,
                 report: Report) -> None:
    if signer is None:
        report.warn(f"not compared with a {role} key you already trust: pass --signer "
                    f"with the {role}'s .pub or .jpcard to check who signed it")
    elif signer[0] == key:
        report.ok(f"signed by the expected key: {signer_label(*signer)}")
    else:
        report.fail("signed by the expected key",
                    f"signed by key id {key.key_id_hex}, not by {signer_label(*signer)}")


def check_results(sealed: SealedZip, signer: tuple[PublicKey, Card | None] | None,
                  report: Report) -> None:
    try:
        results = results_from_sealed(sealed)
    except NewerVersionError as error:
        report.fail("format version", error)
        return
    except JudgePanelError as error:
        report.fail("results document", error)
        return
    d = results.document
    shipped = results.shipped_public_key
    report.field("Program", f"{d['program']['name']} ({d['program']['id']})")
    report.field("Round", f"{d['round']['name']} ({d['round']['id']})")
    report.field("Bundle", f"{d['bundle_id']} (manifest SHA-256 {d['manifest_sha256'][:16]}…)")
    report.field("Judge", f"{d['judge']['name']} ({d['judge']['fingerprint']})")
    report.field("Signed by", f"key id {results.signer_key_id}")
    report.field("Sequence", f"{d['sequence']}, created {d['created']}")
    conflicts = sum(1 for x in d["declarations"] if x["conflict"])
    report.field("Contents", f"{plural(len(d['reviews']), 'review')}, "
                 f"{plural(len(d['declarations']), 'declaration')} "
                 f"({plural(conflicts, 'conflict')})")
    report.ok(f"results document is valid (format version {d['format_version']})")
    key = signer[0] if signer else shipped
    try:
        results.verify_signature(key)
    except SignatureError as error:
        report.fail("judge signature over results.json", error)
        return
    if signer is None:
        report.ok("judge signature verifies with the key shipped inside the file (judge.pub); "
                  "its trusted comment names this bundle and sequence")
        check_signer(key, None, "judge", report)
        return
    report.ok(f"judge signature verifies with {signer_label(*signer)}; its trusted comment "
              "names this bundle and sequence")
    card = signer[1]
    if card is not None and card.fingerprint != d["judge"]["fingerprint"]:
        report.fail("judge named in the file is the card's",
                    f"the file names {d['judge']['fingerprint']}, the card is {card.fingerprint}")


def check_card(path: Path, signer: tuple[PublicKey, Card | None] | None, report: Report) -> None:
    try:
        card = read_card(path)
    except JudgePanelError as error:
        report.fail("card", error)
        return
    key = card.public_key
    report.field("Person", f"{card.name} ({card.role})")
    report.field("Fingerprint", card.fingerprint)
    report.field("Signed by", f"itself, key id {key.key_id_hex}")
    report.ok("card is valid; its fingerprint matches its keys")
    report.ok("self-signature verifies")
    if signer is not None:
        check_signer(key, signer, card.role, report)


def verify_file(path: Path, report: Report,
                identities: Callable[[], list[AnyIdentity]],
                signer: tuple[PublicKey, Card | None] | None = None,
                locked: Callable[[], Sequence[Card]] = tuple) -> bool:
    """Check ``path`` line by line into ``report``; True when every check passed.

    ``identities`` is called only for an encrypted file (it may ask the keyring);
    ``locked``, after it, names this computer's identities it could not unlock (so a
    file they would open is said to need a passphrase, not to be someone else's).
    The desktop app shows the same lines for a results file it was asked to open.
    """
    kind = detect_file(path)
    report.line(f"{path}: {kind.description}")
    if kind is FileKind.CARD:
        check_card(path, signer, report)
    elif kind is FileKind.WORK:  # the judge's alone: not opened, so no key is asked for
        report.fail("kind of file", WORK_FILE_IS_NOT_RESULTS)
    elif kind in (FileKind.BUNDLE, FileKind.RESULTS, FileKind.ENCRYPTED):
        guess = FileKind.RESULTS if kind is FileKind.RESULTS else FileKind.BUNDLE
        keys = identities()
        sealed = open_sealed(path, keys, guess, report, locked())
        if sealed is not None:
            actual = detect_payload(sealed.zip.names())
            if actual is not kind:
                report.warn(f"inside is a {actual.description}")
            if actual is FileKind.BUNDLE:
                check_bundle(sealed, signer, report)
            elif actual is FileKind.RESULTS:
                check_results(sealed, signer, report)
            else:
                sealed.close()
                report.fail("kind of file", "it is encrypted, but holds neither a bundle nor "
                                            "results")
    else:
        report.fail("kind of file", "this is not a JudgePanel bundle, results file or card")
    report.line("All checks passed." if not report.failed else "Some checks FAILED.")
    return not report.failed
