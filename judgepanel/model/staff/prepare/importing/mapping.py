"""Which column of a spreadsheet holds which application field, guessed from the headers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from judgepanel.errors import ValidationError
from judgepanel.model.staff.prepare.importing.sources import SourceTable
from judgepanel.text import ascii_slug

# Header spellings each field is guessed from (compared after normalising case/punctuation).
ALIASES: dict[str, tuple[str, ...]] = {
    "ref": ("ref", "reference", "id", "application id", "app id", "application number", "code"),
    "title": ("title", "initiative", "project", "project title", "application title",
              "initiative name", "name of initiative"),
    "organisation": ("organisation", "organization", "org", "applicant", "institution",
                     "applicant organisation", "applicant organization"),
    "city": ("city", "municipality", "town", "location"),
    "contact_name": ("contact", "contact name", "contact person", "applicant name"),
    "contact_email": ("email", "e mail", "contact email", "contact e mail", "mail"),
    "requested_amount": ("requested amount", "amount requested", "requested", "amount",
                         "request"),
    "categories": ("categories", "category", "components", "component", "tracks", "track"),
}
ATTACHMENT_ALIASES = ("attachments", "attachment", "files", "file", "documents")

# A header plainly naming references: one of these words ("Reference ID", "Ref. No.",
# "Application number", "#"), with at most words that say whose reference it is. "Postal
# code" or "Phone number" carry another word, so they are not taken for references.
REF_WORDS = frozenset({"id", "ref", "reference", "number", "no", "nr", "num", "code"})
REF_QUALIFIERS = frozenset({"application", "app", "applicant", "submission", "entry",
                            "project", "proposal", "form", "record", "file", "unique",
                            "our", "the", "of", "identifier", "reference", "ref"})
FIELD_NAMES = ("ref", "title", "organisation", "city", "contact_name", "contact_email",
               "requested_amount", "categories")


def normalise_header(text: str) -> str:
    return ascii_slug(text, " ")


def holds_references(header: str) -> bool:
    """Whether a column's header plainly names references (any case, spacing, dots)."""
    if header.strip() in ("#", "No.", "Nº", "N°"):
        return True
    words = normalise_header(header).split()
    return (bool(words) and any(w in REF_WORDS for w in words)
            and all(w in REF_WORDS or w in REF_QUALIFIERS for w in words))


@dataclass(frozen=True)
class ColumnMapping:
    """Which source column feeds which application field (None: not in the file).

    ``extra`` lists the columns kept as form fields; None keeps every column not
    mapped above. Without a ``ref`` column, refs are made as ``REF_PREFIX-0001``.
    """

    title: str | None = None
    ref: str | None = None
    organisation: str | None = None
    city: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    requested_amount: str | None = None
    categories: str | None = None
    attachments: tuple[str, ...] = ()
    extra: tuple[str, ...] | None = None
    separator: str = ";"
    ref_prefix: str = "APP"

    @classmethod
    def guess(cls, headers: tuple[str, ...] | list[str]) -> ColumnMapping:
        """A best guess from header names; staff confirm it in the preview."""
        by_norm = {normalise_header(h): h for h in headers}
        chosen: dict[str, Any] = {}
        for name, aliases in ALIASES.items():
            for alias in aliases:
                if alias in by_norm and by_norm[alias] not in chosen.values():
                    chosen[name] = by_norm[alias]
                    break
        attachments = tuple(by_norm[a] for a in ATTACHMENT_ALIASES if a in by_norm)
        if "ref" not in chosen:
            taken = set(chosen.values()) | set(attachments)
            ref = next((h for h in headers if h not in taken and holds_references(h)), None)
            if ref is not None:
                chosen["ref"] = ref
        return cls(attachments=attachments, **chosen)

    def mapped_columns(self) -> dict[str, str]:
        """{field: column} for the single-column fields that are mapped."""
        return {n: getattr(self, n) for n in FIELD_NAMES if getattr(self, n)}

    def used_columns(self, headers: tuple[str, ...]) -> tuple[str, ...]:
        """Every column the import reads: mapped, attachment and form-field columns."""
        used = {*self.mapped_columns().values(), *self.attachments,
                *self.extra_columns(headers)}
        return tuple(h for h in headers if h in used)

    def references_note(self) -> str:
        """How references are found or made, in words for the import's summary."""
        if self.ref:
            return f"References come from the column “{self.ref}”."
        return (f"No column holds references, so they will be made as "
                f"{self.ref_prefix}-0001, {self.ref_prefix}-0002, … (skipping those already "
                "in the program). If a column holds them, choose it for the reference "
                "(`--map ref=COLUMN`).")

    def describe(self, headers: tuple[str, ...]) -> list[str]:
        """The mapping in lines a person can check: each field and its column, the
        attachment columns, the columns kept as form fields, and where references come from."""
        lines = [f"  {name:<17} ← " + (f"“{column}”" if (column := getattr(self, name))
                                        else "(none)") for name in FIELD_NAMES]
        lines.append(f"  {'attachments':<17} ← " + (", ".join(f"“{c}”" for c in self.attachments)
                                                     or "(none)"))
        extra = self.extra_columns(headers)
        if extra:
            lines.append("  kept as form fields: " + ", ".join(f"“{c}”" for c in extra))
        return ["Columns used:", *lines, self.references_note()]

    def extra_columns(self, headers: tuple[str, ...]) -> tuple[str, ...]:
        if self.extra is not None:
            return self.extra
        used = set(self.mapped_columns().values()) | set(self.attachments)
        return tuple(h for h in headers if h not in used)

    def check(self, table: SourceTable) -> None:
        """Refuse a mapping that names columns the file does not have."""
        if not self.title:
            raise ValidationError("Choose the column that holds each application's title.",
                                  path="title")
        if not self.separator:
            raise ValidationError("The list separator cannot be empty.", path="separator")
        wanted = [*self.mapped_columns().items(), *(("attachments", c) for c in self.attachments),
                  *(("extra", c) for c in self.extra or ())]
        for field_name, column in wanted:
            if column not in table.headers:
                raise ValidationError(
                    f"The column “{column}” (chosen for {field_name}) is not in "
                    f"{table.name}. Its columns are: {', '.join(table.headers)}.",
                    path=field_name,
                )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ColumnMapping:
        values = dict(data)
        values["attachments"] = tuple(values.get("attachments") or ())
        if values.get("extra") is not None:
            values["extra"] = tuple(values["extra"])
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValidationError(f"Unknown mapping field “{sorted(unknown)[0]}”.",
                                  path=sorted(unknown)[0])
        return cls(**values)
