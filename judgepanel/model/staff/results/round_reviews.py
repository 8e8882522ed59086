"""Which reviews of a round count: read from the workspace, decided once, for every consumer.

The leaderboard, the shortlist and the exports all start here, so they can
never disagree about what a judge said. The rules (docs/scoring.md prints them):

- Only accepted results files of bundles issued for this round count; refused
  files never do. For each judge and application the review comes from the
  newest accepted file that mentions the application (newest bundle first,
  then highest sequence), so a re-export replaces what came before.
- A review is excluded, and its judge listed as conflicted, when the judge
  declared a conflict for the application in that newest file, or when staff
  confirmed a conflict for the pair (even after the judge scored it). Of the
  program's conflicts, only those touching this round (the pair is assigned
  here, or the judge answered for it here) are listed.
- An open (undecided) conflict finding does not exclude a review; the pair is
  listed in ``open_pairs`` so staff can decide it.
- A judge who said in that newest file they are unable to review the application
  (for another reason than a conflict) has no review of it: the pair is listed in
  ``unable`` with their reason, a missing review with a reason.
- Totals come from ``scoring.weighted_total``; a stored review whose scores no
  longer fit the rubric is not counted and is named in ``problems``.
- The round's applications are ``rounds.round_applications`` (the first round:
  every application; a later round: its members). An application assigned or
  reviewed in the round is included even if it is not a member: the workflows
  never allow that, but a review that exists must never be silently dropped.

Everything returned is plain data (no ORM objects), so a worker thread can
build it and hand it to the GUI thread.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from judgepanel.errors import ValidationError
from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.scoring.totals import weighted_total
from judgepanel.model.staff.prepare.categories import list_categories
from judgepanel.model.staff.prepare.rounds import round_applications_query, rubric_for_round
from judgepanel.model.staff.schema.base import application_categories
from judgepanel.model.staff.schema.program import (
    Application,
    Assignment,
    Conflict,
    Judge,
    Program,
    Round,
)
from judgepanel.model.staff.schema.results import (
    Declaration,
    IssuedBundle,
    ReceivedResults,
    Review,
    Score,
    UnableReview,
)
from judgepanel.model.storage.bulk import select_rows

ACCEPTED = "accepted"

Pair = tuple[int, int]  # (judge id, application id)
_Key = tuple[int, int]  # (results id, application id)


@dataclass(frozen=True)
class JudgeInfo:
    id: int
    name: str


@dataclass(frozen=True)
class CategoryInfo:
    id: int
    key: str
    name: str
    budget: Decimal | None


@dataclass(frozen=True)
class ApplicationInfo:
    id: int
    ref: str
    title: str
    organisation: str
    categories: tuple[str, ...]  # category keys, in the program's order
    requested: Decimal | None
    awarded: Decimal | None  # staff's award, used as a funding-line override
    version: int = 1  # the row's version: what an award set from this view expects


@dataclass(slots=True)
class ReviewRecord:
    """A judge's current review of one application, counted or not (exports list both).

    Read-only by convention, not ``frozen``: a national round builds 10,000 of these
    per ranking, and a frozen dataclass's ``__init__`` (one ``object.__setattr__`` per
    field) cost five times a plain one's.
    """

    judge: JudgeInfo
    application: ApplicationInfo
    results_id: int
    sequence: int | None
    scores: Mapping[str, float]
    comments: Mapping[str, str]
    overall_comment: str
    confidence: int | None
    total: float | None
    excluded: str = ""  # why it does not count; empty when it counts

    @property
    def counted(self) -> bool:
        return not self.excluded


@dataclass
class RoundReviews:
    """What the round holds, and the one current review per (judge, application)."""

    round_id: int
    round_number: int
    round_name: str
    budget: Decimal | None
    rubric: Rubric
    apps: dict[int, ApplicationInfo]
    judges: dict[int, JudgeInfo]  # every judge of the program
    categories: list[CategoryInfo]  # every category of the program, in order
    assigned: set[Pair]
    reviews: dict[Pair, ReviewRecord] = field(default_factory=dict)
    conflicted: set[Pair] = field(default_factory=set)
    open_pairs: dict[Pair, tuple[str, ...]] = field(default_factory=dict)
    problems: list[tuple[int, str]] = field(default_factory=list)  # (application id, text)
    unable: dict[Pair, str] = field(default_factory=dict)  # unable to review: the reason


def _accepted(query: Any, round_: Round, results_id: Any = None) -> Any:
    """``query`` limited to accepted results of this round's bundles (joined on ``results_id``)."""
    if results_id is not None:
        query = query.join(ReceivedResults, ReceivedResults.id == results_id)
    return (query.join(IssuedBundle, IssuedBundle.id == ReceivedResults.issued_bundle_id)
            .where(IssuedBundle.round_id == round_.id, ReceivedResults.status == ACCEPTED))


def _pairs(session: Session, query: Any) -> set[Pair]:
    # Plain rows from the session's connection, fetched at once (see _read_files for why).
    return set(select_rows(session, query))


@dataclass
class _Files:
    """What the round's accepted files say, keyed by (results id, application id).

    Read with column selects (plain tuples, no ORM objects): a national round has
    tens of thousands of scores, and building an object per row cost more than the
    rest of the ranking.
    """

    order: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # newest is largest
    judge_of: dict[int, int] = field(default_factory=dict)
    sequence: dict[int, int | None] = field(default_factory=dict)
    scores: dict[_Key, dict[str, float]] = field(default_factory=dict)
    comments: dict[_Key, dict[str, str]] = field(default_factory=dict)  # non-empty only
    overall: dict[_Key, tuple[str, int | None]] = field(default_factory=dict)
    declared: set[_Key] = field(default_factory=set)  # conflict = true
    unable: dict[_Key, str] = field(default_factory=dict)  # unable to review: the reason

    def latest(self) -> dict[Pair, int]:
        """The newest file mentioning each (judge, application)."""
        out: dict[Pair, int] = {}
        order, judge_of = self.order, self.judge_of
        for rid, app_id in (self.scores.keys() | self.overall.keys() | self.declared
                            | self.unable.keys()):
            pair = (judge_of[rid], app_id)
            known = out.get(pair)
            if known is None or order[rid] > order[known]:
                out[pair] = rid
        return out


def _read_files(session: Session, round_: Round, keys: Iterable[str] = ()) -> _Files:
    """Read the round's accepted files: four queries, tens of thousands of rows.

    Read as plain tuples (``bulk.select_rows``) on the session's connection: the same
    rows without the ORM's per-row processing or SQLAlchemy's ``Row`` per row (together
    a third of the time of reading 60,000 scores). The session has already autoflushed
    for the caller's ORM queries (``rubric_for_round``), so pending changes are
    visible here as before.

    ``keys`` (the rubric's criterion keys) become the score dicts' keys: the driver
    makes a new string for every row, and 60,000 copies of six keys cost memory and
    every later lookup (a shared key is found by identity, a copy by comparing text).
    """
    files = _Files()
    for rid, judge_id, bundle_id, seq in select_rows(session, _accepted(
            select(ReceivedResults.id, IssuedBundle.judge_id, IssuedBundle.id,
                   ReceivedResults.sequence).select_from(ReceivedResults), round_)):
        files.order[rid] = (bundle_id, seq or 0, rid)
        files.judge_of[rid] = judge_id
        files.sequence[rid] = seq
    rows = select_rows(session, _accepted(select(
        Score.results_id, Score.application_id, Score.criterion_key, Score.value,
        Score.comment).select_from(Score), round_, Score.results_id))
    _group_scores(rows, keys, files.scores, files.comments)
    overall = files.overall
    for rid, app_id, text, confidence in select_rows(session, _accepted(select(
            Review.results_id, Review.application_id, Review.overall_comment,
            Review.confidence).select_from(Review), round_, Review.results_id)):
        overall[(rid, app_id)] = (text or "", confidence)
    files.declared.update(select_rows(session, _accepted(select(
        Declaration.results_id, Declaration.application_id).select_from(Declaration)
        .where(Declaration.conflict.is_(True)), round_, Declaration.results_id)))
    for rid, app_id, reason in select_rows(session, _accepted(select(
            UnableReview.results_id, UnableReview.application_id, UnableReview.reason)
            .select_from(UnableReview), round_, UnableReview.results_id)):
        files.unable[(rid, app_id)] = reason
    return files


def _group_scores(rows: Iterable[tuple[int, int, str, float, str]], keys: Iterable[str],
                  scores: dict[_Key, dict[str, float]],
                  comments: dict[_Key, dict[str, str]]) -> None:
    """Put score rows (results id, application id, key, value, comment) into the dicts.

    A review's scores usually arrive one after another: its dicts are looked up once
    per run of rows rather than once per row; rows in any order give the same dicts.
    A key that is one of ``keys`` is stored as that very string (see _read_files).
    """
    shared = {key: key for key in keys}
    last: _Key | None = None
    given: dict[str, float] = {}
    said: dict[str, str] = {}
    for rid, app_id, key, value, comment in rows:
        key = shared.get(key, key)
        if last is None or app_id != last[1] or rid != last[0]:
            last = (rid, app_id)
            known = scores.get(last)
            if known is None:
                given = scores[last] = {}
                said = comments[last] = {}
            else:
                given, said = known, comments[last]
        given[key] = value
        if comment:
            said[key] = comment


def _program_conflicts(
    session: Session, program: Program
) -> tuple[set[Pair], dict[Pair, list[str]]]:
    """(confirmed pairs, open findings with their reasons) across the program."""
    confirmed = _pairs(session, select(Conflict.judge_id, Conflict.application_id)
                       .join(Judge, Judge.id == Conflict.judge_id)
                       .where(Judge.program_id == program.id, Conflict.status == "confirmed"))
    # A declaration made outside a results file (no results id) also blocks the pair.
    confirmed |= _pairs(session, select(Declaration.judge_id, Declaration.application_id)
                        .join(Judge, Judge.id == Declaration.judge_id)
                        .where(Judge.program_id == program.id, Declaration.results_id.is_(None),
                               Declaration.conflict.is_(True)))
    open_findings: dict[Pair, list[str]] = defaultdict(list)
    for judge_id, app_id, reasons in session.execute(
            select(Conflict.judge_id, Conflict.application_id, Conflict.reasons)
            .join(Judge, Judge.id == Conflict.judge_id)
            .where(Judge.program_id == program.id, Conflict.status == "open")):
        open_findings[(judge_id, app_id)].extend(reasons or ())
    return confirmed, open_findings


def _applications(session: Session, round_: Round, categories: list[CategoryInfo],
                  used: set[int]) -> dict[int, ApplicationInfo]:
    """The round's applications, plus any in ``used`` (assigned or reviewed) outside it.

    Membership follows ``rounds.round_applications_query`` (the one rule every
    workflow uses); only the columns the board shows are read, not whole objects
    with their form fields.
    """
    columns = (Application.id, Application.ref, Application.title, Application.organisation,
               Application.requested_amount, Application.awarded_amount, Application.version)
    connection = session.connection()  # plain rows (see _read_files)
    rows = list(connection.execute(
        round_applications_query(round_).with_only_columns(*columns)).all())
    outside = used - {row[0] for row in rows}
    if outside:
        rows += connection.execute(select(*columns).where(
            Application.id.in_(sorted(outside)), Application.program_id == round_.program_id))
    position = {c.id: i for i, c in enumerate(categories)}
    key_of = {c.id: c.key for c in categories}
    found = {row[0] for row in rows}
    linked: dict[int, list[int]] = defaultdict(list)
    for app_id, category_id in connection.execute(
            select(application_categories.c.application_id,
                   application_categories.c.category_id)
            .join(Application, Application.id == application_categories.c.application_id)
            .where(Application.program_id == round_.program_id)).all():
        if app_id in found and category_id in key_of:
            linked[app_id].append(category_id)
    apps: dict[int, ApplicationInfo] = {}
    for app_id, ref, title, organisation, requested, awarded, version in sorted(
            rows, key=lambda r: r[0]):
        cats = sorted(linked.get(app_id, ()), key=lambda c: position[c])
        apps[app_id] = ApplicationInfo(app_id, ref, title, organisation,
                                       tuple(key_of[c] for c in cats), requested, awarded,
                                       version)
    return apps


def load_round_reviews(session: Session, round_: Round) -> RoundReviews:
    """Read ``round_`` and decide, by the rules above, which reviews count."""
    program = session.get(Program, round_.program_id)
    assert program is not None
    rubric = rubric_for_round(session, round_)
    files = _read_files(session, round_, rubric.keys)
    latest = files.latest()
    assigned = _pairs(session, select(Assignment.judge_id, Assignment.application_id)
                      .where(Assignment.round_id == round_.id))
    confirmed, open_findings = _program_conflicts(session, program)
    # Pairs whose newest file declares a conflict (few: walk those, not every pair).
    conflicted = confirmed | {
        pair for rid, app_id in files.declared
        if latest.get(pair := (files.judge_of[rid], app_id)) == rid}
    used = {a for _, a in assigned} | {a for _, a in latest}
    categories = [CategoryInfo(c.id, c.key, c.name, c.budget)
                  for c in list_categories(session, program)]
    judges = {judge_id: JudgeInfo(judge_id, name) for judge_id, name in session.connection()
              .execute(select(Judge.id, Judge.name).where(Judge.program_id == program.id)).all()}
    data = RoundReviews(
        round_id=round_.id, round_number=round_.number, round_name=round_.name,
        budget=round_.budget, rubric=rubric,
        apps=_applications(session, round_, categories, used),
        judges=judges,
        categories=categories, assigned=assigned)
    scores, declared, no_overall = files.scores, files.declared, ("", None)
    for pair, rid in latest.items():
        key = (rid, pair[1])
        reason = files.unable.get(key)
        if reason is not None and key not in declared:
            data.unable[pair] = reason
            continue
        values = scores.get(key)
        if values is None or key in declared:
            continue
        # A confirmed conflict can also hold a review made before staff decided it.
        why = "conflict of interest confirmed by staff" if pair in conflicted else ""
        data.reviews[pair] = _record(data, pair, rid, files.sequence[rid], values,
                                     files.comments[key], files.overall.get(key, no_overall),
                                     why)
    data.conflicted = {p for p in conflicted
                       if p[1] in data.apps and (p in assigned or p in latest)}
    data.open_pairs = {p: tuple(r) for p, r in open_findings.items()
                       if p in data.reviews and data.reviews[p].counted}
    return data


def _record(data: RoundReviews, pair: Pair, rid: int, seq: int | None,
            values: dict[str, float], comments: dict[str, str],
            overall: tuple[str, int | None], excluded: str) -> ReviewRecord:
    judge = data.judges[pair[0]]
    app = data.apps[pair[1]]
    try:
        total = weighted_total(data.rubric, values)
        problem = "" if total is not None else "a counting criterion has no score"
    except ValidationError as exc:
        total, problem = None, exc.message
    if problem:
        excluded = excluded or "its scores do not fit the rubric"
        data.problems.append((app.id, f"The review of {app.ref} by {judge.name} does not fit "
                                      f"the rubric ({problem}); it is not counted."))
    return ReviewRecord(judge, app, rid, seq, values, comments, overall[0], overall[1], total,
                        excluded)
