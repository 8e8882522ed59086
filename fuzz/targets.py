"""Every reader of outside input, as a function of bytes: the fuzz targets.

A target passes when the reader returns, or refuses with JudgePanel's own typed error
(:class:`~judgepanel.errors.JudgePanelError`); anything else it raises is a finding.
The same targets run under atheris (``make fuzz``, coverage-guided, ``fuzz/run.py``)
and under hypothesis in the test suite (``tests/test_fuzz_targets.py``), so a crash
found by either becomes a regression test by adding its input to
``fuzz/corpus/<target>/``, which the suite replays.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

from judgepanel.crypto.age import decrypt_bytes, encrypt_bytes
from judgepanel.crypto.age_keys import X25519Identity
from judgepanel.crypto.identity import Identity
from judgepanel.crypto.minisign import PublicKey, SigningKey, key_id_of, trusted_comment_of
from judgepanel.errors import FileFormatError, JudgePanelError
from judgepanel.formats.card import Card
from judgepanel.formats.jsonio import check_schema, parse_json
from judgepanel.formats.manifest import check_format_version, check_manifest
from judgepanel.formats.results.file import read_results
from judgepanel.formats.results.spec import PUBLIC_KEY_NAME, RESULTS_NAME, SIGNATURE_NAME
from judgepanel.formats.zipsafe import StrictZipReader
from judgepanel.model.rubric.definition import load_rubric
from judgepanel.model.staff.prepare.importing.sources import read_table
from judgepanel.model.staff.schema.program import Program
from judgepanel.model.staff.settings import SETTINGS, setting_value
from judgepanel.text import clean_text, text_problem
from tests.formats.test_zip_hygiene import written  # a stored ZIP, as JudgePanel writes

Target = Callable[[bytes], None]


@cache
def _folder() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="judgepanel-fuzz-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def _fuzz_identity(name: str, role: str) -> Identity:
    """A key pair derived from a public label: it protects nothing, and lets the seed
    corpus (made in another process) be encrypted to the key the targets decrypt with."""
    seed = hashlib.sha256(f"judgepanel fuzzing key, public: {name}".encode()).digest()
    return Identity(name, role, X25519Identity(seed),  # type: ignore[arg-type]
                    SigningKey.from_seed(hashlib.sha256(seed).digest()),
                    "2026-01-01T00:00:00Z")


@cache
def fuzz_keys() -> tuple[Identity, Identity]:
    """(staff, judge) for the targets and the seeds."""
    return _fuzz_identity("Fuzz Staff", "staff"), _fuzz_identity("Fuzz Judge", "judge")


def _as_file(data: bytes, name: str) -> Path:
    path = _folder() / name
    path.write_bytes(data)
    return path


def import_csv(data: bytes) -> None:
    read_table(_as_file(data, "applications.csv"))


def import_xlsx(data: bytes) -> None:
    read_table(_as_file(data, "applications.xlsx"))


XLSX_PARTS = ("xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml",
              "xl/styles.xml", "[Content_Types].xml", "xl/_rels/workbook.xml.rels")
"""The parts ``xlsx_parts`` replaces: its first byte chooses one, the rest is its XML."""


@cache
def _workbook() -> dict[str, bytes]:
    seed = Path(__file__).resolve().parent / "corpus" / "import_xlsx" / "shared.xlsx"
    with zipfile.ZipFile(seed) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def xlsx_parts(data: bytes) -> None:
    """One part of a sound workbook replaced by ``data[1:]``: the fuzzer reaches the XML
    (openpyxl's reading and the guard's scan) instead of failing CRC checks."""
    if not data:
        return
    members = dict(_workbook())
    members[XLSX_PARTS[data[0] % len(XLSX_PARTS)]] = data[1:]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    import_xlsx(out.getvalue())


def import_json(data: bytes) -> None:
    read_table(_as_file(data, "applications.json"))


def rubric(data: bytes) -> None:
    load_rubric(_as_file(data, "rubric.toml"))


def results(data: bytes) -> None:
    """``data`` as results.json inside a well-formed, sealed results file."""
    staff, judge = fuzz_keys()
    signature = judge.signing.sign(data, trusted_comment="judgepanel results v1 fuzz")
    payload = written([(RESULTS_NAME, data), (SIGNATURE_NAME, signature.encode()),
                    (PUBLIC_KEY_NAME, judge.public_key.to_string().encode())])
    read_results(encrypt_bytes(payload, [staff.recipient]), [staff])


def manifest(data: bytes) -> None:
    def refuse(error: Exception) -> FileFormatError:
        return FileFormatError("damaged", detail=str(error))

    document = parse_json(data, what="the manifest", max_size=16 * 1024 * 1024)
    check_format_version(document, expected_format="judgepanel-bundle", what="bundle")
    check_schema(check_manifest, document, on_error=refuse)


def card(data: bytes) -> None:
    Card.from_json(data)


def age_file(data: bytes) -> None:
    staff, _judge = fuzz_keys()
    decrypt_bytes(data, [staff.age])


def zip_payload(data: bytes) -> None:
    reader = StrictZipReader(io.BytesIO(data))
    for name in reader.names()[:8]:
        reader.read(name, max_size=1024 * 1024)


def minisign(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    _staff, judge = fuzz_keys()
    head, _, rest = text.partition("\n\n")
    with contextlib.suppress(JudgePanelError):
        PublicKey.from_string(head)
    trusted_comment_of(rest)
    key_id_of(rest)
    judge.public_key.verify(b"message", rest)


def identity(data: bytes) -> None:
    Identity.from_secret_text(data.decode("utf-8", errors="replace"))


def settings(data: bytes) -> None:
    try:
        stored = json.loads(data)
    except (ValueError, RecursionError):
        return  # the database holds JSON; only what it can hold matters here
    program = Program(name="P", settings=stored if isinstance(stored, dict) else {})
    for setting in SETTINGS:
        setting_value(program, setting)


def text(data: bytes) -> None:
    """The text policy's own promise: what ``clean_text`` returns passes ``text_problem``."""
    value = data.decode("utf-8", errors="replace")
    for multiline in (True, False):
        cleaned, _removed = clean_text(value, multiline=multiline)
        if text_problem(cleaned, multiline=multiline) is not None:
            raise AssertionError(f"clean_text left a refused character in {cleaned!r}")


TARGETS: dict[str, Target] = {
    "import_csv": import_csv, "import_xlsx": import_xlsx, "import_json": import_json,
    "xlsx_parts": xlsx_parts, "rubric": rubric, "results": results, "manifest": manifest,
    "card": card, "age_file": age_file, "zip_payload": zip_payload, "minisign": minisign,
    "identity": identity, "settings": settings, "text": text,
}

MAX_LEN = {"import_xlsx": 32_768, "xlsx_parts": 8_192, "results": 16_384, "manifest": 16_384}
"""Longest input atheris tries per target (libFuzzer's -max_len); others 4,096."""


def run_one(target: Target, data: bytes) -> bool:
    """Run ``target`` on ``data``: True when it read it, False when it refused it in words.
    Anything else propagates: that is a finding."""
    try:
        target(data)
    except JudgePanelError as error:
        if not str(error).strip():
            raise AssertionError("a refusal with no message") from error
        return False
    return True
