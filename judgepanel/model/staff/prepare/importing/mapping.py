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


def normalise_header(text: str) -> str:
    return ascii_slug(text, " ")


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
        return cls(attachments=attachments, **chosen)

    def mapped_columns(self) -> dict[str, str]:
        """{field: column} for the single-column fields that are mapped."""
        names = ("ref", "title", "organisation", "city", "contact_name", "contact_email",
                 "requested_amount", "categories")
        return {n: getattr(self, n) for n in names if getattr(self, n)}

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
