"""Results files (``.jpresults``): a judge's signed scores, encrypted to the staff.

The payload is a stored ZIP with exactly three members, in this order:
``results.json`` (the document, docs/formats.md section 5), ``results.json.minisig``
(the judge's signature, whose trusted comment names the bundle, the sequence number
and the export id) and ``judge.pub`` (the judge's public key, for people checking by
hand). From version 2 the file is encrypted to the staff *and* to the judge, so the
judge can open their own file again (to continue on another computer).

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

from judgepanel.crypto.age import AgeWriter
from judgepanel.crypto.age_keys import X25519Recipient
from judgepanel.crypto.minisign import PublicKey, SigningKey, key_id_hex, key_id_of
from judgepanel.errors import (
    FileFormatError,
    JudgePanelError,
    SignatureError,
    ValidationError,
)
from judgepanel.formats.jsonio import (
    SchemaError,
    check_schema,
    dumps_canonical,
    parse_json,
)
from judgepanel.formats.manifest import check_format_version
from judgepanel.formats.results import v1
from judgepanel.formats.results.checks import check_results
from judgepanel.formats.results.lineage import Lineage, legacy_export_id
from judgepanel.formats.results.quick import quick_results
from judgepanel.formats.results.spec import (
    MEMBERS,
    PUBLIC_KEY_MAX,
    PUBLIC_KEY_NAME,
    RESULTS_FORMAT,
    RESULTS_MAX,
    RESULTS_NAME,
    RESULTS_VERSION,
    SIGNATURE_MAX,
    SIGNATURE_NAME,
    ResultsContent,
    document_of,
    results_trusted_comment,
    trusted_comment,
)
from judgepanel.formats.results.versions import content_from_document
from judgepanel.formats.sealed import (
    AnyIdentity,
    SealedZip,
    atomic_output,
    cannot_write,
    name_file,
)
from judgepanel.formats.zipsafe import StoredZipWriter

WRONG_KEY = (
    "This results file was not made for your program's staff key, so it cannot be "
    "opened here. Ask the judge to export it again from the bundle you sent them."
)
DAMAGED = (
    "The results file is damaged or was changed after the judge signed it. "
    "Ask the judge to export and send it again."
)


def write_results(dst: Path, document: dict[str, Any], *, judge_key: SigningKey,
                  judge_public: PublicKey, staff_recipient: X25519Recipient | None,
                  judge_recipient: X25519Recipient | None = None) -> None:
    """Sign ``document`` as the judge and encrypt it to the staff (and, given
    ``judge_recipient``, to the judge too), atomically at ``dst``.

    Without ``staff_recipient`` (a judge's work file, carried to their other computer)
    it is encrypted to ``judge_recipient`` alone."""
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
    recipients = [r for r in (staff_recipient, judge_recipient) if r is not None]
    if not recipients:
        raise ValueError("results need someone to encrypt them to")  # a programming error
    try:
        with atomic_output(Path(dst)) as out, AgeWriter(out, recipients) as sink:
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
    def version(self) -> int:
        return self.content.format_version

    @property
    def export_id(self) -> str:
        """The export's id; empty for a version-1 file (see ``lineage.legacy_export_id``)."""
        return self.content.export_id

    def lineage(self, file_sha256: str) -> Lineage:
        """Where this export sits among the judge's exports of the bundle (``lineage``);
        ``file_sha256`` (of the whole file) names a version-1 export, which has no id."""
        content = self.content
        if content.format_version == v1.VERSION:
            return Lineage(legacy_export_id(file_sha256), content.sequence, (), legacy=True)
        return Lineage(content.export_id, content.sequence, frozenset(content.supersedes))

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
        expected = trusted_comment(content.format_version, content.bundle_id,
                                   content.sequence, content.judge.fingerprint,
                                   content.export_id)
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
                                     what="results file", newest=RESULTS_VERSION)
                check_schema(check_results, document, on_error=_refuse_schema)
                content = content_from_document(document)
            key_id_of(signature)  # a malformed signature is refused here, not at merge
        except JudgePanelError as error:
            raise name_file(error, sealed.source) from None
    return ResultsFile(content, data, signature, public, document)
