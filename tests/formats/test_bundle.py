"""Writing and reading bundles: round trips, keys, laziness, atomic writes."""

from __future__ import annotations

import hashlib
import io
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from judgepanel.clock import stamp
from judgepanel.crypto.age_keys import ScryptIdentity, ScryptRecipient, X25519Identity
from judgepanel.crypto.age_stream import CACHED_CHUNKS, ENC_CHUNK_SIZE
from judgepanel.errors import (
    Cancelled,
    DamagedFileError,
    FileFormatError,
    JudgePanelError,
    SignatureError,
    ValidationError,
    WrongKeyError,
)
from judgepanel.formats import sealed
from judgepanel.formats.bundle import Bundle
from judgepanel.formats.bundle_write import BundleApplication, BundleHeader, write_bundle
from tests.formats.crafting import Keys


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys.make()


def make_header(keys: Keys, app_ids: tuple[str, ...] = ("A-1", "A-2"), **changes: Any
                ) -> BundleHeader:
    header = BundleHeader(
        program={"id": "P-2026", "name": "Mayors' Recognition 2026"},
        round={"id": "R-1", "name": "First round"},
        bundle_id="B-0001",
        judge={"name": keys.judge.name, "fingerprint": keys.judge.fingerprint},
        staff={"name": keys.staff.name, "fingerprint": keys.staff.fingerprint,
               "age_recipient": keys.staff.recipient.to_string()},
        created=stamp(),
        due="2026-04-01",
        rubric={"name": "Recognition", "criteria": [{"key": "impact", "weight": 2}]},
        settings={"blind_review": True},
        applications=[{"id": a, "title": f"Initiative {a}", "applicant": "Ana",
                       "organisation": "City of Lyon", "city": "Lyon"} for a in app_ids],
    )
    for key, value in changes.items():
        setattr(header, key, value)
    return header


def make_apps(tmp_path: Path, big: int = 0) -> list[BundleApplication]:
    budget = tmp_path / "budget.pdf"
    budget.write_bytes(b"%PDF-1.7 " + bytes(range(256)) * 40)
    attachments: list[tuple[str, Path | bytes]] = [("budget.pdf", budget),
                                                  ("Présentation.txt", "héllo".encode())]
    if big:
        video = tmp_path / "video.bin"
        video.write_bytes(b"v" * big)
        attachments.append(("video.bin", video))
    return [
        BundleApplication("A-1", {"id": "A-1", "fields": {"summary": "Unity days", "n": 3}},
                          attachments),
        BundleApplication("A-2", {"id": "A-2", "fields": {"summary": "Parks"}}),
    ]


def build(tmp_path: Path, keys: Keys, **kwargs: Any) -> Path:
    dst = kwargs.pop("dst", tmp_path / "maria.jpbundle")
    header = kwargs.pop("header", make_header(keys))
    apps = kwargs.pop("apps", make_apps(tmp_path))
    write_bundle(dst, header, apps,
                 recipients=kwargs.pop("recipients", keys.bundle_recipients),
                 staff_key=keys.staff.signing, **kwargs)
    return dst


# --- round trips -------------------------------------------------------------------------


def test_round_trip(tmp_path: Path, keys: Keys) -> None:
    header = make_header(keys)
    dst = tmp_path / "maria.jpbundle"
    progress: list[tuple[int, int, str]] = []
    written = write_bundle(dst, header, make_apps(tmp_path), recipients=keys.bundle_recipients,
                           staff_key=keys.staff.signing,
                           progress=lambda d, t, label: progress.append((d, t, label)))
    assert written.path == dst and written.bundle_id == "B-0001"
    assert written.size == dst.stat().st_size
    assert progress and progress[-1][0] == progress[-1][1]

    with Bundle.open(dst, [keys.judge], trusted_staff_keys=[keys.staff.public_key]) as bundle:
        assert bundle.manifest_sha256 == written.manifest_sha256
        assert hashlib.sha256(bundle.manifest_bytes).hexdigest() == written.manifest_sha256
        assert bundle.staff_public_key == keys.staff.public_key
        assert bundle.bundle_id == "B-0001"
        assert bundle.application_ids() == ["A-1", "A-2"]
        assert bundle.summary("A-1")["city"] == "Lyon"
        assert bundle.header.rubric == header.rubric
        assert bundle.header.judge == header.judge
        assert bundle.manifest["staff"]["key_id"] == keys.staff.public_key.key_id_hex
        assert bundle.application("A-1") == {"id": "A-1",
                                             "fields": {"summary": "Unity days", "n": 3}}
        assert bundle.attachment_names("A-1") == ["budget.pdf", "Présentation.txt"]
        assert bundle.attachment_names("A-2") == []
        assert bundle.attachment("A-1", "Présentation.txt") == "héllo".encode()
        assert bundle.attachment("A-1", "budget.pdf") == (tmp_path / "budget.pdf").read_bytes()
        bundle.verify_all()
        with pytest.raises(KeyError):
            bundle.application("A-9")


def test_the_manifest_is_plain_readable_json(tmp_path: Path, keys: Keys) -> None:
    with Bundle.open(build(tmp_path, keys), [keys.judge]) as bundle:
        text = bundle.manifest_bytes.decode("utf-8")
    assert text.endswith("}\n") and "\n  " in text
    assert json.loads(text)["members"][0]["path"] == "applications/A-1/application.json"


def test_the_staff_can_open_it_too(tmp_path: Path, keys: Keys) -> None:
    with Bundle.open(build(tmp_path, keys), [keys.staff]) as bundle:
        assert bundle.application_ids() == ["A-1", "A-2"]


def test_bare_age_identities_work(tmp_path: Path, keys: Keys) -> None:
    with Bundle.open(build(tmp_path, keys), [X25519Identity.generate(), keys.judge.age]) as b:
        assert b.application("A-2")["id"] == "A-2"


def test_passphrase_bundle(tmp_path: Path, keys: Keys) -> None:
    dst = build(tmp_path, keys, recipients=[ScryptRecipient("correct horse", work_factor=4)])
    with Bundle.open(dst, [ScryptIdentity("correct horse")]) as bundle:
        bundle.verify_all()
    with pytest.raises(WrongKeyError, match="(?i)passphrase"):
        Bundle.open(dst, [ScryptIdentity("wrong horse")])


def test_wrong_key_says_so_plainly(tmp_path: Path, keys: Keys) -> None:
    dst = build(tmp_path, keys)
    with pytest.raises(WrongKeyError, match="another judge") as info:
        Bundle.open(dst, [keys.other])
    assert str(dst) in str(info.value)


def test_attachment_names_are_stored_in_nfc(tmp_path: Path, keys: Keys) -> None:
    decomposed = unicodedata.normalize("NFD", "Résumé.txt")
    apps = [BundleApplication("A-1", {}, [(decomposed, b"cv")]), BundleApplication("A-2", {})]
    with Bundle.open(build(tmp_path, keys, apps=apps), [keys.judge]) as bundle:
        assert bundle.attachment_names("A-1") == ["Résumé.txt"]
        assert bundle.attachment("A-1", "Résumé.txt") == b"cv"


# --- trust ------------------------------------------------------------------------------


def test_a_bundle_signed_by_someone_else_is_refused_when_staff_keys_are_known(
        tmp_path: Path, keys: Keys) -> None:
    """Mallory builds a consistent, correctly signed bundle with her own staff key."""
    header = make_header(keys, staff={"name": "Sam Staff", "fingerprint": keys.other.fingerprint,
                                      "age_recipient": keys.other.recipient.to_string()})
    dst = tmp_path / "forged.jpbundle"
    write_bundle(dst, header, make_apps(tmp_path), recipients=[keys.judge.recipient],
                 staff_key=keys.other.signing)
    with pytest.raises(SignatureError, match="not signed by your program's staff"):
        Bundle.open(dst, [keys.judge], trusted_staff_keys=[keys.staff.public_key])
    with Bundle.open(dst, [keys.judge]) as bundle:  # without a known key: self-consistent only
        assert bundle.staff_public_key == keys.other.public_key


def test_writer_refuses_a_header_naming_another_staff_key(tmp_path: Path, keys: Keys) -> None:
    header = make_header(keys)
    header.staff["minisign_public_key"] = keys.other.public_key.base64
    with pytest.raises(ValidationError, match="signing key"):
        build(tmp_path, keys, header=header)


def test_writer_refuses_a_staff_fingerprint_that_is_not_the_keys(tmp_path: Path,
                                                                 keys: Keys) -> None:
    header = make_header(keys)
    header.staff["fingerprint"] = keys.other.fingerprint
    with pytest.raises(ValidationError) as info:
        build(tmp_path, keys, header=header)
    assert info.value.path == "staff.fingerprint"


# --- laziness: opening reads the header, the directory and the manifest only --------------


class CountingFile(io.FileIO):
    """A file that counts the bytes read from it."""

    total = 0

    def read(self, size: int = -1) -> bytes:  # type: ignore[override]
        data = super().read(size)
        CountingFile.total += len(data or b"")
        return data or b""

    def readinto(self, buffer: Any) -> int:
        n = super().readinto(buffer) or 0
        CountingFile.total += n
        return n


def test_opening_reads_only_header_directory_and_manifest(
        tmp_path: Path, keys: Keys, monkeypatch: pytest.MonkeyPatch) -> None:
    big = 4 * 1024 * 1024
    dst = build(tmp_path, keys, apps=make_apps(tmp_path, big=big))
    assert dst.stat().st_size > big
    CountingFile.total = 0
    monkeypatch.setattr(sealed, "open", lambda path, mode: CountingFile(path, mode),
                        raising=False)
    with Bundle.open(dst, [keys.judge]) as bundle:
        after_open = CountingFile.total
        # age header + first chunk (manifest) + last chunk(s) (directory): a few 64 KiB chunks
        assert after_open < 300 * 1024, after_open
        bundle.application("A-1")
        bundle.attachment("A-1", "budget.pdf")
        assert CountingFile.total - after_open < 300 * 1024
        assert len(bundle.attachment("A-1", "video.bin")) == big
        # read when asked for (less the few chunks at its ends still cached)
        assert CountingFile.total - after_open > big - CACHED_CHUNKS * ENC_CHUNK_SIZE


# --- atomic writes ---------------------------------------------------------------------


def test_cancelling_leaves_no_file_behind(tmp_path: Path, keys: Keys) -> None:
    dst = tmp_path / "maria.jpbundle"
    dst.write_bytes(b"the previous bundle")

    def cancel(done: int, total: int, label: str) -> None:
        if label.startswith("Encrypting"):
            raise Cancelled()

    with pytest.raises(Cancelled):
        write_bundle(dst, make_header(keys), make_apps(tmp_path), recipients=keys.bundle_recipients,
                     staff_key=keys.staff.signing, progress=cancel)
    assert dst.read_bytes() == b"the previous bundle"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["budget.pdf", "maria.jpbundle"]


def test_an_attachment_changing_during_the_build_is_caught(tmp_path: Path, keys: Keys) -> None:
    apps = make_apps(tmp_path)

    def meddle(done: int, total: int, label: str) -> None:
        if label == "Checking attachments":
            (tmp_path / "budget.pdf").write_bytes(b"something else entirely" * 100)

    with pytest.raises(ValidationError, match="changed while the bundle was being built"):
        write_bundle(tmp_path / "b.jpbundle", make_header(keys), apps,
                     recipients=keys.bundle_recipients, staff_key=keys.staff.signing,
                     progress=meddle)
    assert not (tmp_path / "b.jpbundle").exists()


# --- writer validation -----------------------------------------------------------------


@pytest.mark.parametrize(("change", "path"), [
    ({"bundle_id": "B/1"}, "bundle_id"),
    ({"bundle_id": "B 1"}, "bundle_id"),
    ({"judge": {"name": "Maria", "fingerprint": "not a fingerprint!"}}, "judge.fingerprint"),
    ({"judge": {"name": "", "fingerprint": "ABCD-EFGH"}}, "judge.name"),
    ({"program": {"id": "P", "name": "X", "secret": 1}}, "program"),
    ({"created": "yesterday"}, "created"),
    ({"due": "2026-13-45"}, "due"),
    ({"rubric": ["not", "an", "object"]}, "rubric"),
])
def test_writer_validates_the_header(tmp_path: Path, keys: Keys, change: dict[str, Any],
                                     path: str) -> None:
    with pytest.raises(ValidationError) as info:
        build(tmp_path, keys, header=make_header(keys, **change))
    assert info.value.path == path
    assert not list(tmp_path.glob("*.jpbundle*")) and not list(tmp_path.glob(".*"))


def test_writer_requires_applications_to_match_summaries(tmp_path: Path, keys: Keys) -> None:
    with pytest.raises(ValidationError, match="do not match"):
        build(tmp_path, keys, header=make_header(keys, app_ids=("A-1",)))
    with pytest.raises(ValidationError, match="do not match"):
        build(tmp_path, keys, apps=[*make_apps(tmp_path), BundleApplication("A-1", {})])


@pytest.mark.parametrize("name", ["../escape.pdf", "a/b.pdf", "con:x", "", "x\u202egpj.exe"])
def test_writer_refuses_bad_attachment_names(tmp_path: Path, keys: Keys, name: str) -> None:
    apps = [BundleApplication("A-1", {}, [(name, b"x")]), BundleApplication("A-2", {})]
    with pytest.raises(ValidationError, match="cannot be used"):
        build(tmp_path, keys, apps=apps)


def test_writer_refuses_duplicate_attachment_names(tmp_path: Path, keys: Keys) -> None:
    apps = [BundleApplication("A-1", {}, [("Budget.pdf", b"1"), ("budget.PDF", b"2")]),
            BundleApplication("A-2", {})]
    with pytest.raises(ValidationError, match="two attachments"):
        build(tmp_path, keys, apps=apps)


def test_writer_refuses_documents_json_cannot_hold(tmp_path: Path, keys: Keys) -> None:
    apps = [BundleApplication("A-1", {"score": float("nan")}), BundleApplication("A-2", {})]
    with pytest.raises(ValidationError, match="cannot be stored"):
        build(tmp_path, keys, apps=apps)


def test_writer_refuses_to_encrypt_to_nobody(tmp_path: Path, keys: Keys) -> None:
    with pytest.raises(ValidationError, match="nobody"):
        build(tmp_path, keys, recipients=[])


def test_a_missing_attachment_file_is_named(tmp_path: Path, keys: Keys) -> None:
    apps = [BundleApplication("A-1", {}, [("gone.pdf", tmp_path / "gone.pdf")]),
            BundleApplication("A-2", {})]
    with pytest.raises(ValidationError, match="gone.pdf"):
        build(tmp_path, keys, apps=apps)


def test_member_damage_found_on_read_is_damage(tmp_path: Path, keys: Keys) -> None:
    """Flip one ciphertext byte in the attachment region: age refuses that chunk."""
    dst = build(tmp_path, keys, apps=make_apps(tmp_path, big=300_000))
    data = bytearray(dst.read_bytes())
    data[200_000] ^= 1
    dst.write_bytes(bytes(data))
    with Bundle.open(dst, [keys.judge]) as bundle:
        with pytest.raises(DamagedFileError):
            bundle.attachment("A-1", "video.bin")
        with pytest.raises(DamagedFileError):
            bundle.verify_all()


# --- files that cannot be read or written, and progress ---------------------------------


def test_a_missing_bundle_file_is_a_plain_error(tmp_path: Path, keys: Keys) -> None:
    with pytest.raises(FileFormatError, match="could not be opened") as info:
        Bundle.open(tmp_path / "nowhere.jpbundle", [keys.judge])
    assert str(tmp_path / "nowhere.jpbundle") in str(info.value)


def test_an_unwritable_destination_is_a_plain_error(tmp_path: Path, keys: Keys) -> None:
    with pytest.raises(JudgePanelError, match="could not be saved"):
        build(tmp_path, keys, dst=tmp_path / "no such folder" / "b.jpbundle")


def test_progress_only_moves_forward_and_ends_complete(tmp_path: Path, keys: Keys) -> None:
    seen: list[tuple[int, int]] = []
    build(tmp_path, keys, apps=make_apps(tmp_path, big=200_000),
          progress=lambda done, total, label: seen.append((done, total)))
    dones = [d for d, _ in seen]
    assert dones == sorted(dones)
    assert all(d <= t for d, t in seen)
    assert seen[-1][0] == seen[-1][1] > 400_000


# --- what kind of file is this ------------------------------------------------------------


def test_detect(tmp_path: Path, keys: Keys) -> None:
    from judgepanel.formats.card import Card, write_card
    from judgepanel.formats.detect import FileKind, detect_file, detect_payload

    bundle = build(tmp_path, keys)
    assert detect_file(bundle) is FileKind.BUNDLE
    assert detect_file(bundle.rename(tmp_path / "x.jpresults")) is FileKind.RESULTS
    assert detect_file((tmp_path / "x.jpresults").rename(tmp_path / "x.bin")) is FileKind.ENCRYPTED
    write_card(tmp_path / "me.jpcard", Card.from_identity(keys.judge))
    assert detect_file(tmp_path / "me.jpcard") is FileKind.CARD
    (tmp_path / "other.json").write_text('{"format": "something"}')
    assert detect_file(tmp_path / "other.json") is FileKind.UNKNOWN
    assert detect_file(tmp_path / "missing") is FileKind.UNKNOWN
    assert detect_payload(["manifest.json", "manifest.json.minisig"]) is FileKind.BUNDLE
    assert detect_payload(["results.json"]) is FileKind.RESULTS
    assert detect_payload([]) is FileKind.UNKNOWN


def test_a_bundle_too_large_for_zip_without_zip64_is_refused_up_front(
        tmp_path: Path, keys: Keys, monkeypatch: pytest.MonkeyPatch) -> None:
    from judgepanel.formats import bundle_write

    monkeypatch.setattr(bundle_write, "MAX_U32", bundle_write.MANIFEST_MAX + 5000)
    with pytest.raises(ValidationError, match="larger than 4 GB"):
        build(tmp_path, keys, apps=make_apps(tmp_path, big=10_000))
    assert not list(tmp_path.glob("*.jpbundle"))
