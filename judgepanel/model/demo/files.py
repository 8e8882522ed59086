"""Files the demo writes before the app sees them: keys, cards, the spreadsheet, PDFs.

Demo identities live in plain files so that scripts (and ``age``/``minisign``)
can use them without a keyring. That is acceptable ONLY because they protect
made-up data; every such file says so on its first line:

- ``keys/<name>.key``      age identity file (``age-keygen`` layout) — ``age -d -i``
- ``keys/<name>.pub``      minisign public key — ``minisign -V -p``
- ``keys/<name>.identity`` the whole JudgePanel identity (``Identity.secret_text``)
  after ``#`` comment lines; ``judgepanel staff … --identity-file`` reads it
- ``cards/<name>.jpcard``  the public card, as a judge would send it to staff

``formats.identity_file.read_identity_file`` reads them (and the passphrase-protected
identity files real staff should use).
"""

from __future__ import annotations

import csv
import io
from importlib.resources import files
from pathlib import Path

from judgepanel.crypto.age_keys import format_identity_file
from judgepanel.crypto.identity import Identity
from judgepanel.formats.card import Card, atomic_write, write_card
from judgepanel.model.demo.content import DemoApplication

DEMO_WARNING = "DEMO KEY — for demonstration only, not secret"


def write_demo_identity(keys: Path, cards: Path, slug: str, identity: Identity) -> None:
    """The four files of one demo person (see the module docstring)."""
    who = f"{identity.name} ({identity.role}), fingerprint {identity.fingerprint}"
    atomic_write(keys / f"{slug}.key", format_identity_file(
        identity.age, comments=(DEMO_WARNING, f"age identity of {who}")).encode("utf-8"),
        mode=0o600)
    atomic_write(keys / f"{slug}.pub", identity.public_key.to_string(
        f"minisign public key {identity.public_key.key_id_hex} (DEMO)").encode("utf-8"))
    text = (f"# {DEMO_WARNING}\n# JudgePanel identity of {who}\n"
            f"{identity.secret_text()}\n")
    atomic_write(keys / f"{slug}.identity", text.encode("utf-8"), mode=0o600)
    write_card(cards / f"{slug}.jpcard", Card.from_identity(identity))


# --- the applications as staff would receive them -------------------------------------

COLUMNS = ("Reference", "Initiative", "Organization", "City", "State", "Contact person",
           "Email", "Role", "Component", "Requested amount", "Summary", "Problem addressed",
           "Approach", "Partners", "Outcomes", "Budget", "Attachments")


def write_spreadsheet(path: Path, applications: list[DemoApplication]) -> None:
    """A CSV in the shape a program's online form export typically has."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for a in applications:
        writer.writerow((a.ref, a.title, a.organisation, a.city, a.state, a.contact_name,
                         a.contact_email, a.role, a.category,
                         "" if a.requested_amount is None else f"{a.requested_amount:.2f}",
                         a.summary, a.problem, a.approach, a.partners, a.outcomes, a.budget,
                         "; ".join(a.pdfs)))
    atomic_write(path, buffer.getvalue().encode("utf-8"))


def _font() -> tuple[str, str]:
    """DejaVu when the reports package ships it (accents in names), else Helvetica."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = Path(str(files("judgepanel").joinpath("reports", "fonts")))
    regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
    if regular.is_file() and bold.is_file():
        if "DemoSans" not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont("DemoSans", str(regular)))
            pdfmetrics.registerFont(TTFont("DemoSans-Bold", str(bold)))
        return "DemoSans", "DemoSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def write_pdf(path: Path, application: DemoApplication, kind: str) -> None:
    """A one- or two-page document (summary, evaluation or budget) for one application."""
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    regular, bold = _font()
    body = ParagraphStyle("body", fontName=regular, fontSize=10.5, leading=14, spaceAfter=6)
    head = ParagraphStyle("head", parent=body, fontName=bold, fontSize=15, leading=19)
    sub = ParagraphStyle("sub", parent=body, fontName=bold, fontSize=11.5, spaceBefore=8)
    a = application
    title = {"summary": "Initiative summary", "evaluation": "Evaluation report",
             "budget": "Budget and partnership plan"}[kind]
    story = [Paragraph(f"{title}: {_esc(a.title)}", head),
             Paragraph(f"{_esc(a.organisation)} — {_esc(a.city)}, {a.state} — "
                       f"contact: {_esc(a.contact_name)}, {_esc(a.role)}", body),
             Spacer(1, 8)]
    sections = {
        "summary": (("The problem", a.problem), ("What we did", a.approach),
                    ("Partners", a.partners), ("Results so far", a.outcomes)),
        "evaluation": (("Method", "An independent evaluator interviewed participants and "
                        "compared incident and service data before and after the start."),
                       ("Findings", a.outcomes), ("Limitations", "Two years of data; no "
                        "comparison city.")),
        "budget": (("Budget", a.budget), ("Partners and match", a.partners),
                   ("Use of funds", "Staff (55%), community partners (30%), evaluation "
                    "(10%), materials (5%).")),
    }[kind]
    for heading, text in sections:
        story += [Paragraph(heading, sub), Paragraph(_esc(text), body)]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=LETTER, title=f"{title} — {a.ref}",
                            author=a.organisation, invariant=1)
    doc.build(story)
    atomic_write(path, buffer.getvalue())


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def pdf_kind(name: str) -> str:
    for kind in ("summary", "evaluation", "budget"):
        if name.endswith(f"-{kind}.pdf"):
            return kind
    return "summary"
