"""``judgepanel demo DIR``: a complete, realistic program built through the real workflows.

Every step is the code staff and judges use — import from a spreadsheet,
enrolment from cards, conflict screening, assignment, bundles, the judge
workflow (``JudgingSession``: declare, read, score, comment, export) and the
merge — so the demo doubles as an end-to-end test and its files can be
checked with ``age`` and ``minisign``. Content is deterministic for a seed;
keys, bundle ids and timestamps are not (they are random or real time).

Layout of DIR (scripts rely on the first four)::

    program/                 the staff workspace of the recognition program
    keys/<name>.key|.pub     age identity / minisign public key (DEMO, not secret)
    keys/<name>.identity     the JudgePanel identity (DEMO, for --identity-file)
    bundles/<judge>.jpbundle one per judge
    results/<judge>.jpresults one per judge, merged into program/
    cards/<judge>.jpcard     the judges' cards staff enrolled (keys/staff.jpcard: staff)
    source/                  the spreadsheet and PDFs staff received
    judge-workspaces/        each simulated judge's own workspace
    grants/program|bundles|results   the smaller grants round (its own program)
    README.txt               where things are; marks the folder as a demo

``<name>`` is ``staff`` or the judge's slug (``amara-okafor``).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from judgepanel.clock import utcnow
from judgepanel.crypto.identity import Identity
from judgepanel.errors import ValidationError
from judgepanel.model.demo.content import (
    GRANT_TRACKS,
    GRANTS_BUDGET,
    GRANTS_RUBRIC,
    JUDGES,
    DemoApplication,
    DemoJudge,
    applicant_feedback,
    grant_applications,
    judge_score,
    recognition_applications,
    review_comment,
)
from judgepanel.model.demo.files import (
    pdf_kind,
    write_demo_identity,
    write_pdf,
    write_spreadsheet,
)
from judgepanel.model.rubric.definition import Rubric, load_rubric
from judgepanel.model.staff.identity import set_staff_identity
from judgepanel.model.staff.prepare import conflicts as conflict_rules
from judgepanel.model.staff.prepare.categories import RECOGNITION_COMPONENTS
from judgepanel.model.staff.workspace import StaffWorkspace
from judgepanel.paths import resource

MARKER = "This folder was made by `judgepanel demo`."
README = "README.txt"
DEMO_ENTRIES = frozenset({"program", "keys", "bundles", "results", "cards", "source",
                          "judge-workspaces", "grants", README})
RUBRIC_FILE = resource("rubrics", "recognition.toml")
STAFF_SLUG = "staff"
ACTOR = "demo staff"

Step = Callable[[str], None]


@dataclass
class ProgramResult:
    """What one demo program ended with (for the summary the CLI prints)."""

    name: str
    workspace: Path
    applications: int
    judges: int
    assignments: int
    bundles: list[Path] = field(default_factory=list)
    results: list[Path] = field(default_factory=list)
    accepted: int = 0
    refused: int = 0
    conflicts_confirmed: int = 0
    conflicts_declared: int = 0
    top: list[tuple[int | None, str, str, float | None]] = field(default_factory=list)


@dataclass
class DemoResult:
    folder: Path
    recognition: ProgramResult
    grants: ProgramResult | None


def looks_like_demo(folder: Path) -> bool:
    """A folder ``--fresh`` may delete: our README marker and nothing we did not make."""
    readme = folder / README
    try:
        marked = MARKER in readme.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return marked and all(p.name in DEMO_ENTRIES for p in folder.iterdir())


def recognition_rubric() -> Rubric:
    if not RUBRIC_FILE.is_file():
        raise ValidationError("The demo rubric (resources/rubrics/recognition.toml) is missing "
                              "from this installation.", path=str(RUBRIC_FILE))
    return load_rubric(RUBRIC_FILE)


# --- the whole demo ---------------------------------------------------------------------


def demo_due_date(today: dt.date | None = None) -> dt.datetime:
    """Results are due four weeks after the demo is built, so it never looks overdue."""
    day = (today or utcnow().date()) + dt.timedelta(weeks=4)
    return dt.datetime.combine(day, dt.time(23, 59), tzinfo=dt.UTC)


def build_demo(folder: Path, *, seed: int = 2026, applications: int = 40,
               grants: int = 12, step: Step = lambda _label: None) -> DemoResult:
    """Build both demo programs in ``folder`` (which must be empty or absent)."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise ValidationError(f"{folder} is not empty. Choose an empty folder (or use "
                              "--fresh to replace an earlier demo).", path=str(folder))
    if applications < 6:
        raise ValidationError("The demo needs at least 6 applications.", path="applications")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / README).write_text(MARKER + "\nBuilding…\n", encoding="utf-8")
    step("Creating demo keys (staff and six judges)")
    keys, cards = folder / "keys", folder / "cards"
    staff = Identity.generate("Program Staff (demo)", "staff")
    # The staff card sits with the keys, so `cards/*.jpcard` is exactly the judges.
    write_demo_identity(keys, keys, STAFF_SLUG, staff)
    judges: dict[str, Identity] = {}
    for judge in JUDGES:
        judges[judge.slug] = Identity.generate(judge.name, "judge")
        write_demo_identity(keys, cards, judge.slug, judges[judge.slug])
    recognition = build_program(
        folder, folder, name="Mayors' Recognition for Inclusive Cities 2026",
        description="Recognition awards for city initiatives against hate and for inclusion.",
        categories=RECOGNITION_COMPONENTS, apps=recognition_applications(applications, seed),
        rubric=recognition_rubric(), panel=list(JUDGES), staff=staff, judges=judges,
        seed=seed, budget=None, step=step)
    grant_result = None
    if grants:
        grant_result = build_program(
            folder, folder / "grants", name="Community Partnerships Grants 2026",
            description="Competitive grants for local public–private initiatives.",
            categories=GRANT_TRACKS, apps=grant_applications(grants, seed),
            rubric=Rubric.from_dict(GRANTS_RUBRIC), panel=list(JUDGES[:4]), staff=staff,
            judges=judges, seed=seed + 1, budget=GRANTS_BUDGET, step=step)
    result = DemoResult(folder, recognition, grant_result)
    (folder / README).write_text(readme_text(result), encoding="utf-8")
    return result


def build_program(root: Path, base: Path, *, name: str, description: str,
                  categories: Sequence[str], apps: list[DemoApplication], rubric: Rubric,
                  panel: list[DemoJudge], staff: Identity, judges: dict[str, Identity],
                  seed: int, budget: object, step: Step) -> ProgramResult:
    """One program from empty workspace to merged results (``base`` holds its folders)."""
    from judgepanel.model.staff.prepare.judges import enroll_file, set_affiliations, set_profile
    from judgepanel.model.staff.prepare.rounds import add_round, save_rubric

    short = "grants" if budget is not None else "recognition"
    step(f"[{short}] Writing the application spreadsheet and PDF attachments")
    source = (root / "source" / short)
    attachments = source / "attachments"
    attachments.mkdir(parents=True, exist_ok=True)
    for app in apps:
        for pdf in app.pdfs:
            write_pdf(attachments / pdf, app, pdf_kind(pdf))
    sheet = source / f"{short}-applications.csv"
    write_spreadsheet(sheet, apps)

    step(f"[{short}] Creating the staff workspace, round and rubric")
    workspace = StaffWorkspace.create(base / "program", name, description=description,
                                      categories=categories, actor=ACTOR)
    try:
        with workspace.session() as session:
            program = workspace.program(session)
            set_staff_identity(session, program, staff, ACTOR)
            round_ = add_round(session, program, "Grants round" if budget is not None
                               else "First round", ACTOR,
                               due_at=demo_due_date(),
                               budget=budget)  # type: ignore[arg-type]
            save_rubric(session, round_, rubric, ACTOR)
            round_id = round_.id

        step(f"[{short}] Importing {len(apps)} applications")
        _import(workspace, sheet, attachments)

        step(f"[{short}] Enrolling {len(panel)} judges from their cards")
        with workspace.session() as session:
            program = workspace.program(session)
            for judge in panel:
                enrolled = enroll_file(session, program, root / "cards" / f"{judge.slug}.jpcard",
                                       ACTOR).judge
                set_profile(session, enrolled, ACTOR, email=judge.email,
                            organisation=judge.organisation, city=judge.city)
                if judge.affiliations:
                    set_affiliations(session, enrolled, judge.affiliations, ACTOR)

        step(f"[{short}] Screening for conflicts of interest")
        with workspace.session() as session:
            program = workspace.program(session)
            conflict_rules.screen(session, program, ACTOR)
            found = conflict_rules.list_conflicts(session, program, status="open")
            for conflict in found:
                conflict_rules.confirm(session, conflict, ACTOR,
                                       "Confirmed by phone with the judge (demo).")
            confirmed = len(found)

        step(f"[{short}] Assigning 3 judges to each application")
        assignments = _assign(workspace, round_id, seed)

        step(f"[{short}] Building one encrypted, signed bundle per judge")
        bundles = _bundles(workspace, round_id, staff, base / "bundles", panel)

        results: list[Path] = []
        declared = 0
        for judge in panel:
            step(f"[{short}] {judge.name} judges their bundle")
            path, conflicts = simulate_judge(
                bundles[judge.slug], judges[judge.slug], judge,
                workspace_path=root / "judge-workspaces" / f"{judge.slug}.sqlite",
                out=base / "results" / f"{judge.slug}.jpresults",
                quality={a.ref: a.quality for a in apps}, seed=seed)
            results.append(path)
            declared += conflicts

        step(f"[{short}] Merging the {len(results)} results files")
        accepted, refused = _merge(workspace, results, staff)
        top = _top(workspace, round_id)
    finally:
        workspace.close()
    return ProgramResult(name=name, workspace=base / "program", applications=len(apps),
                         judges=len(panel), assignments=assignments,
                         bundles=[bundles[j.slug] for j in panel], results=results,
                         accepted=accepted, refused=refused, conflicts_confirmed=confirmed,
                         conflicts_declared=declared, top=top)


def _import(workspace: StaffWorkspace, sheet: Path, attachments: Path) -> None:
    from judgepanel.model.staff.prepare.importing.mapping import ColumnMapping
    from judgepanel.model.staff.prepare.importing.workflow import import_file

    mapping = ColumnMapping(
        ref="Reference", title="Initiative", organisation="Organization", city="City",
        contact_name="Contact person", contact_email="Email",
        requested_amount="Requested amount", categories="Component",
        attachments=("Attachments",),
        extra=("State", "Role", "Summary", "Problem addressed", "Approach", "Partners",
               "Outcomes", "Budget"))
    import_file(workspace, sheet, mapping, attachments_dir=attachments)


def _assign(workspace: StaffWorkspace, round_id: int, seed: int) -> int:
    from judgepanel.model.staff.prepare.assignments import auto_assign
    from judgepanel.model.staff.schema.program import Round

    with workspace.session() as session:
        round_ = session.get(Round, round_id)
        assert round_ is not None
        outcome = auto_assign(session, round_, ACTOR, per_application=3, seed=seed)
        if outcome.unmet:
            raise ValidationError("The demo could not assign every application: "
                                  + "; ".join(str(u) for u in outcome.unmet))
        return len(outcome.added)


def _bundles(workspace: StaffWorkspace, round_id: int, staff: Identity, out: Path,
             panel: list[DemoJudge]) -> dict[str, Path]:
    """Build the bundles, then give each the plain name scripts expect (<judge>.jpbundle)."""
    from judgepanel.model.staff.bundles.building import build_bundles

    built = build_bundles(workspace, round_id, staff, out)
    slugs = {j.name: j.slug for j in panel}
    paths: dict[str, Path] = {}
    for bundle in built:
        slug = slugs[bundle.judge_name]
        target = out / f"{slug}.jpbundle"
        Path(bundle.path).replace(target)
        paths[slug] = target
    return paths


def simulate_judge(bundle: Path, identity: Identity, judge: DemoJudge, *, workspace_path: Path,
                   out: Path, quality: dict[str, float], seed: int) -> tuple[Path, int]:
    """One judge's work through ``JudgingSession``: declare, read, score, comment, export.

    Returns the results file and how many conflicts the judge declared.
    """
    from judgepanel.model.judge.session import JudgingSession
    from judgepanel.model.judge.workspace import JudgeWorkspace

    rng = random.Random(f"{seed}:{judge.slug}")
    workspace_path.parent.mkdir(parents=True, exist_ok=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    judge_ws = JudgeWorkspace.open(workspace_path)
    declared = 0
    try:
        with JudgingSession.open(bundle, identity.age, judge_ws) as session:
            for position, summary in enumerate(session.applications, start=1):
                if position in judge.declare:
                    session.declare(summary.id, True, "I advised this city's human rights "
                                    "commission on this initiative last year.")
                    declared += 1
                    continue
                session.declare(summary.id, False)
                session.set_position(summary.id)
                session.application(summary.id)  # the judge reads it
                for name in session.attachment_names(summary.id)[:1]:
                    session.attachment(summary.id, name)
                _score(session, rng, judge, quality.get(summary.id, 3.0), summary.id)
            problems = session.problems()
            if problems:
                raise ValidationError("The simulated judge left something out: "
                                      + "; ".join(p.message for p in problems[:5]))
            session.export(out, identity)
    finally:
        close = getattr(judge_ws, "close", None)
        if close is not None:
            close()
    return out, declared


def _score(session: object, rng: random.Random, judge: DemoJudge, quality: float,
           app_id: str) -> None:
    s = session  # a JudgingSession; typed loosely to keep the import lazy
    totals = []
    for criterion in s.rubric.criteria:  # type: ignore[attr-defined]
        if criterion.counts:
            value = judge_score(rng, judge, quality, criterion.min, criterion.max,
                                criterion.step)
            totals.append((value - criterion.min) / (criterion.max - criterion.min) * 100)
        else:  # advice only (recommend for the compendium): the best get a yes
            value = criterion.max if quality + judge.leniency / 2 >= 3.9 else criterion.min
        s.set_score(app_id, criterion.key, value)  # type: ignore[attr-defined]
        if criterion.comment.requires_comment(value) or rng.random() < 0.25:
            text = review_comment(rng, (value - criterion.min)
                                  / (criterion.max - criterion.min) * 100)
            s.set_comment(app_id, criterion.key, text)  # type: ignore[attr-defined]
    mean = sum(totals) / len(totals) if totals else 50.0
    s.set_overall_comment(app_id, review_comment(rng, mean))  # type: ignore[attr-defined]
    # Feedback for the applicant from a generator of its own, so the scores and the
    # panel's comments stay what they were for a seed.
    words = random.Random(f"{judge.name}/{app_id}")
    s.set_overall_feedback(app_id, applicant_feedback(words, mean))  # type: ignore[attr-defined]
    first = s.rubric.criteria[0]  # type: ignore[attr-defined]
    s.set_feedback(app_id, first.key,  # type: ignore[attr-defined]
                   applicant_feedback(words, totals[0] if totals else mean))
    s.set_confidence(app_id, rng.choice((3, 4, 4, 5)))  # type: ignore[attr-defined]
    if rng.random() < 0.2:
        s.set_private_note(app_id, "Ask the others about the data source.")  # type: ignore


def _merge(workspace: StaffWorkspace, results: list[Path], staff: Identity) -> tuple[int, int]:
    from judgepanel.model.staff.results.merging import merge_results

    report = merge_results(workspace, results, staff)
    accepted = sum(1 for row in report.rows if row.status == "accepted")
    refused = [row for row in report.rows if row.status != "accepted"]
    if refused:
        raise ValidationError("The demo's own results were refused: "
                              + "; ".join(f"{r.path}: {r.message}" for r in refused))
    return accepted, len(refused)


def _top(workspace: StaffWorkspace, round_id: int, n: int = 5
         ) -> list[tuple[int | None, str, str, float | None]]:
    from judgepanel.model.staff.decide.leaderboard import compute
    from judgepanel.model.staff.schema.program import Round

    with workspace.session() as session:
        round_ = session.get(Round, round_id)
        assert round_ is not None
        board = compute(session, round_)
        return [(row.rank_raw, row.application.ref, row.application.title, row.stats.mean)
                for row in board.rows[:n]]


def readme_text(result: DemoResult) -> str:
    r = result.recognition
    lines = [
        MARKER,
        "Everything here is made up. The keys in keys/ are DEMO KEYS: not secret, never",
        "use them for a real program.",
        "",
        f"{r.name}: {r.applications} applications, {r.judges} judges, "
        f"{r.assignments} assignments, {r.accepted} results files merged.",
        "  staff workspace:  program/",
        "  staff keys:       keys/staff.key (age), keys/staff.pub (minisign), "
        "keys/staff.identity",
        "  judges' keys:     keys/<judge>.key, keys/<judge>.pub, keys/<judge>.identity",
        "  bundles:          bundles/<judge>.jpbundle",
        "  results:          results/<judge>.jpresults",
        "",
        "Try:",
        "  judgepanel staff rank -w program",
        "  judgepanel staff merge -w program --identity-file keys/staff.identity results/*",
        "  (checks with the standard tools, in a scratch folder outside this one:)",
        "  age -d -i keys/amara-okafor.key bundles/amara-okafor.jpbundle > /tmp/b.zip",
        "  (then unzip /tmp/b.zip and: minisign -V -p keys/staff.pub -m manifest.json)",
        "  age -d -i keys/staff.key results/amara-okafor.jpresults > /tmp/r.zip",
        "  (then unzip /tmp/r.zip and: minisign -V -p keys/amara-okafor.pub -m results.json)",
    ]
    if result.grants is not None:
        g = result.grants
        lines += ["", f"{g.name}: {g.applications} applications, {g.judges} judges, budget "
                  f"{GRANTS_BUDGET:,} USD: grants/program, grants/bundles, grants/results",
                  "  judgepanel staff rank -w grants/program"]
    return "\n".join(lines) + "\n"
