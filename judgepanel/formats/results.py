"""Results files (``.jpresults``): a judge's signed scores, encrypted to the staff.

The payload is a stored ZIP with exactly three members, in this order:
``results.json`` (the document, docs/formats.md section 5), ``results.json.minisig``
(the judge's signature, whose trusted comment names the bundle and the sequence
number) and ``judge.pub`` (the judge's public key, for people checking by hand).

Staff never trust ``judge.pub``: :meth:`ResultsFile.verify_signature` takes the key
enrolled for that judge. Everything else a merge needs (right bundle, newer sequence,
completeness, rubric) is the model's job; this module guarantees the file is
well formed and that the document says what the signature's comment says.

Private notes never appear here: the schema has no field for them and unknown
fields are refused, by the writer as well as the reader.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from judgepanel.crypto.age import AgeWriter, X25519Recipient
from judgepanel.crypto.minisign import PublicKey, SigningKey, key_id_hex, key_id_of
from judgepanel.errors import (
    FileFormatError,
    JudgePanelError,
    SignatureError,
    ValidationError,
)
from judgepanel.formats.jsonio import (
    FINGERPRINT_PATTERN,
    SHA256_PATTERN,
    Fields,
    SchemaError,
    check_schema,
    dumps_canonical,
    parse_json,
)
from judgepanel.formats.manifest import FORMAT_VERSION, MAX_NAME, check_format_version
from judgepanel.formats.results_quick import (
    CONFIDENCE_RANGE,
    CRITERION_KEY,
    MAX_COMMENT,
    MAX_ENTRIES,
    MAX_GENERATOR,
    MAX_SCORES,
    MAX_SEQUENCE,
    RESULTS_FORMAT,
    ResultsContent,
    content_of,
    document_of,
    quick_results,
)
from judgepanel.formats.sealed import (
    AnyIdentity,
    SealedZip,
    atomic_output,
    cannot_write,
    name_file,
)
from judgepanel.formats.zipsafe import StoredZipWriter

RESULTS_NAME = "results.json"
SIGNATURE_NAME = "results.json.minisig"
PUBLIC_KEY_NAME = "judge.pub"
MEMBERS = [RESULTS_NAME, SIGNATURE_NAME, PUBLIC_KEY_NAME]

RESULTS_MAX = 32 * 1024 * 1024
SIGNATURE_MAX = 16 * 1024
PUBLIC_KEY_MAX = 4 * 1024

WRONG_KEY = (
    "This results file was not made for your program's staff key, so it cannot be "
    "opened here. Ask the judge to export it again from the bundle you sent them."
)
DAMAGED = (
    "The results file is damaged or was changed after the judge signed it. "
    "Ask the judge to export and send it again."
)


def results_trusted_comment(document: dict[str, Any]) -> str:
    """What the judge's signature says it is for; minisign -V prints it."""
    return _trusted_comment(document["format_version"], document["bundle_id"],
                            document["sequence"], document["judge"]["fingerprint"])


def _trusted_comment(version: Any, bundle_id: Any, sequence: Any, fingerprint: Any) -> str:
    return (f"judgepanel results v{version} bundle={bundle_id} seq={sequence} "
            f"judge={fingerprint}")


# --- schema --------------------------------------------------------------------------


def _declaration(entry: Fields) -> tuple[str, bool]:
    app_id = entry.ident("application_id")
    conflict = entry.boolean("conflict")
    entry.req_text("reason", max_len=MAX_COMMENT)
    entry.timestamp("declared_at")
    entry.done()
    return app_id, conflict


# --- the full checks, which name the problem ---------------------------------------------


def _score(score: Fields, seen: set[str]) -> str:
    key = score.pattern("criterion", CRITERION_KEY, "a criterion key")
    if key in seen:
        score.fail("criterion", f"{key!r} is scored twice")
    score.number("score")
    score.req_text("comment", max_len=MAX_COMMENT)
    score.done()
    return key


def _review(entry: Fields) -> str:
    app_id = entry.ident("application_id")
    keys: set[str] = set()
    where = entry.sub("scores")
    for index, item in enumerate(entry.array("scores", max_items=MAX_SCORES)):
        keys.add(_score(Fields(item, f"{where}[{index}]"), keys))
    entry.req_text("overall_comment", max_len=MAX_COMMENT)
    low, high = CONFIDENCE_RANGE
    entry.integer("confidence", minimum=low, maximum=high, optional=True)
    if not entry.present("confidence"):
        entry.fail("confidence", "is missing (it may be null)")
    entry.timestamp("updated_at")
    entry.done()
    return app_id


def _entries(root: Fields, key: str) -> list[Any]:
    return root.array(key, max_items=MAX_ENTRIES)


def check_results(document: Any) -> None:
    """Validate a results document (format version 1); SchemaError names the field.

    Entry by entry, to name the first problem. A file as JudgePanel writes it is read
    by ``results_quick`` instead, which checks the same rules in a fifth of the time.
    """
    root = Fields(document, "")
    root.literal("format", RESULTS_FORMAT)
    root.literal("format_version", FORMAT_VERSION)
    for key in ("program", "round"):
        named = root.req_obj(key)
        named.ident("id")
        named.req_text("name", empty=False, max_len=MAX_NAME, multiline=False)
        named.done()
    root.ident("bundle_id")
    root.pattern("manifest_sha256", SHA256_PATTERN, "64 lowercase hexadecimal digits")
    judge = root.req_obj("judge")
    judge.req_text("name", empty=False, max_len=MAX_NAME, multiline=False)
    judge.pattern("fingerprint", FINGERPRINT_PATTERN, "a fingerprint like K7QF-3MZD-WX2P-9HTR")
    judge.done()
    root.req_int("sequence", minimum=1, maximum=MAX_SEQUENCE)
    root.timestamp("created")
    root.text("generator", optional=True, max_len=MAX_GENERATOR, multiline=False)
    declared: dict[str, bool] = {}
    for index, item in enumerate(_entries(root, "declarations")):
        entry = Fields(item, f"declarations[{index}]")
        app_id, conflict = _declaration(entry)
        if app_id in declared:
            entry.fail("application_id", f"{app_id!r} is declared twice")
        declared[app_id] = conflict
    reviewed: set[str] = set()
    for index, item in enumerate(_entries(root, "reviews")):
        entry = Fields(item, f"reviews[{index}]")
        app_id = _review(entry)
        if app_id in reviewed:
            entry.fail("application_id", f"{app_id!r} is reviewed twice")
        if app_id not in declared:
            entry.fail("application_id", f"{app_id!r} has a review but no declaration")
        if declared[app_id]:
            entry.fail("application_id", f"{app_id!r} is reviewed but declared a conflict")
        reviewed.add(app_id)
    root.done()


# --- writing -------------------------------------------------------------------------


def write_results(dst: Path, document: dict[str, Any], *, judge_key: SigningKey,
                  judge_public: PublicKey, staff_recipient: X25519Recipient) -> None:
    """Sign ``document`` as the judge and encrypt it to the staff, atomically at ``dst``."""
    check_schema(check_results, document, on_error=lambda error: ValidationError(
        f"The results cannot be exported: {error.field} {error.reason}.",
        path=error.field or None,
    ))
    if judge_key.public_key() != judge_public:
        raise ValidationError(
            "The results cannot be exported: the signing key does not match the judge's "
            "public key.", path="judge_public",
        )
    data = dumps_canonical(document)
    if len(data) > RESULTS_MAX:
        raise ValidationError("The results are too large to export.", path="reviews")
    signature = judge_key.sign(
        data,
        trusted_comment=results_trusted_comment(document),
        untrusted_comment=f"JudgePanel results for bundle {document['bundle_id']}",
    )
    public_text = judge_public.to_string(f"JudgePanel judge key {judge_public.key_id_hex}")
    try:
        with atomic_output(Path(dst)) as out, AgeWriter(out, [staff_recipient]) as sink:
            writer = StoredZipWriter(sink)
            writer.add_bytes(RESULTS_NAME, data)
            writer.add_bytes(SIGNATURE_NAME, signature.encode("utf-8"))
            writer.add_bytes(PUBLIC_KEY_NAME, public_text.encode("utf-8"))
            writer.close()
    except OSError as error:
        raise cannot_write(Path(dst), "results file", error) from None


# --- reading -------------------------------------------------------------------------


@dataclass
class ResultsFile:
    """A decrypted, well-formed results file whose signature is NOT yet checked.

    Call :meth:`verify_signature` with the judge key enrolled for the bundle before
    trusting anything in ``content`` or ``document``.

    ``content`` is the document as typed structs, which is how a merge reads it;
    ``document`` is the same as plain JSON data (dicts and lists), made on first use.
    """

    content: ResultsContent
    results_json: bytes
    signature: str
    shipped_public_key: PublicKey
    _document: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def document(self) -> dict[str, Any]:
        if self._document is None:
            self._document = document_of(self.content)
        return self._document

    @property
    def bundle_id(self) -> str:
        return self.content.bundle_id

    @property
    def sequence(self) -> int:
        return self.content.sequence

    @property
    def manifest_sha256(self) -> str:
        return self.content.manifest_sha256

    @property
    def judge(self) -> dict[str, Any]:
        return {"fingerprint": self.content.judge.fingerprint, "name": self.content.judge.name}

    @property
    def signer_key_id(self) -> str:
        """The key id the signature claims (unverified; for messages and display)."""
        return key_id_hex(key_id_of(self.signature))

    def verify_signature(self, enrolled: PublicKey) -> None:
        """The signature must verify with ``enrolled`` and its comment match the document."""
        comment = enrolled.verify(self.results_json, self.signature)
        content = self.content
        expected = _trusted_comment(content.format_version, content.bundle_id,
                                    content.sequence, content.judge.fingerprint)
        if comment != expected:
            raise SignatureError(
                DAMAGED, detail=f"trusted comment {comment!r} does not match {expected!r}"
            )


def _refuse_schema(error: SchemaError) -> FileFormatError:
    return FileFormatError(
        "This results file is damaged or was not made by JudgePanel. "
        "Ask the judge to export and send it again.",
        detail=f"results.json: {error}",
    )


def read_results(src: Path | bytes, staff_identities: Sequence[AnyIdentity]) -> ResultsFile:
    """Decrypt and check a results file: ZIP hygiene, exactly 3 members, schema, version."""
    source: Path | bytes = src if isinstance(src, bytes) else Path(src)
    sealed = SealedZip.open(source, staff_identities, what="results file",
                            wrong_key_message=WRONG_KEY)
    return results_from_sealed(sealed)


def results_from_sealed(sealed: SealedZip) -> ResultsFile:
    """Check an opened container as a results file; it is closed either way."""
    with sealed:
        try:
            names = sealed.zip.names()
            if names != MEMBERS:
                bundle = names[:1] == ["manifest.json"]
                raise FileFormatError(
                    "This is a judging bundle, not a results file." if bundle else
                    "This results file is damaged or was not made by JudgePanel.",
                    detail=f"members {names[:6]}, expected {MEMBERS}",
                )
            data = sealed.zip.read(RESULTS_NAME, max_size=RESULTS_MAX)
            signature_bytes = sealed.zip.read(SIGNATURE_NAME, max_size=SIGNATURE_MAX)
            public_bytes = sealed.zip.read(PUBLIC_KEY_NAME, max_size=PUBLIC_KEY_MAX)
            try:
                signature = signature_bytes.decode("utf-8")
                public = PublicKey.from_string(public_bytes.decode("utf-8"))
            except (UnicodeDecodeError, SignatureError) as error:
                raise FileFormatError(DAMAGED, detail=f"signature or judge.pub: {error}") from None
            document: dict[str, Any] | None = None
            content = quick_results(data)  # what JudgePanel wrote, checked in C
            if content is None:  # anything else: the full checks, which say what is wrong
                # No nesting walk: check_results accepts four levels only (see parse_json).
                document = parse_json(data, what="the results", max_size=RESULTS_MAX,
                                      max_depth=None)
                check_format_version(document, expected_format=RESULTS_FORMAT,
                                     what="results file")
                check_schema(check_results, document, on_error=_refuse_schema)
                content = content_of(document)
            key_id_of(signature)  # a malformed signature is refused here, not at merge
        except JudgePanelError as error:
            raise name_file(error, sealed.source) from None
    return ResultsFile(content, data, signature, public, document)
