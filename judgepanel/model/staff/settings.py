"""Program settings: every knob a program can turn, declared once with its default and its rule.

They are stored in ``Program.settings`` (a JSON object) under the keys below; a key
that is absent takes the default. Some settings may be overridden for one round under
``round_settings`` → the round's number (``{"round_settings": {"2": {...}}}``).
Everything that reads a setting goes through :func:`setting_value`, so a stored value
that breaks its rule is refused with a message naming the setting, wherever it is read,
and every default is written here and nowhere else. :func:`set_setting` changes one,
checked and audited. docs/scoring.md, docs/reports.md and docs/cli.md (``staff setting``)
say what each one does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy.orm import Session

from judgepanel.errors import ValidationError
from judgepanel.model.scoring.ranking import DEFAULT_BASIS, Basis, basis_named
from judgepanel.model.staff import audit
from judgepanel.model.staff.schema.program import Program, Round
from judgepanel.text import text_problem

T = TypeVar("T")

ROUND_SETTINGS = "round_settings"
DEFAULT_MAX_RANGE = 30.0  # points on the 0..100 total: more than one step of a 1-5 scale
DEFAULT_MAX_SD = 20.0
SETTING_ACTION = "program.setting"


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One program setting: where it is stored, its default, and the rule its value obeys.

    ``path`` is the key, or keys into nested objects (``("reports", "name_judges")``);
    ``check`` returns the value as the program uses it, or raises ValueError saying
    what is wrong in a few plain words.
    """

    path: tuple[str, ...]
    default: T
    check: Callable[[object], T]
    what: str  # plain words for messages: "the disagreement limit on the range"
    per_round: bool = False
    # The value as JSON stores it, when ``check`` returns something richer (outcomes).
    dump: Callable[[Any], object] | None = None

    def stored(self, value: T) -> object:
        """``value`` as JSON data (what is stored, and what a listing shows)."""
        return self.dump(value) if self.dump is not None else value

    @property
    def key(self) -> str:
        return ".".join(self.path)


def _points_or_off(value: object) -> float | None:
    if value is None:
        return None
    # The range alone refuses NaN, infinities and huge integers (on which math.isfinite
    # would overflow).
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise ValueError("must be a number of points from 0 to 100, or empty to switch it off")
    return float(value)


def _yes_no(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _text_or_none(value: object) -> str | None:
    if value is None:
        return None
    if (not isinstance(value, str) or len(value) > 200
            or text_problem(value, multiline=False) is not None):
        raise ValueError("must be a field name (text on one line, at most 200 characters)")
    return value.strip() or None


def _basis(value: object) -> Basis:
    found = basis_named(value)  # "normalised", the old name of z, is read as z
    if found is None:
        raise ValueError("must be “adjusted”, “raw” or “z” (or “normalised”, the old name "
                         "of “z”)")
    return found


@dataclass(frozen=True)
class Outcome:
    """One decision a panel can take on an application, as the program names it.

    ``selected``: the application is among the chosen (the compendium's winners, the
    funded); ``award``: deciding it sets the application's award (grants: "funded").
    A program's outcomes are listed best first: the Decisions report calls out a
    decision that puts an application above a better-ranked one.
    """

    name: str
    selected: bool = False
    award: bool = False


RECOGNITION_OUTCOMES = (Outcome("winner", selected=True), Outcome("finalist"),
                        Outcome("honourable mention"), Outcome("not selected"))
GRANT_OUTCOMES = (Outcome("funded", selected=True, award=True), Outcome("not funded"))


def _outcome(item: object) -> Outcome:
    if isinstance(item, str):
        item = {"name": item}
    if not isinstance(item, Mapping) or set(item) - {"name", "selected", "award"}:
        raise ValueError("must list outcomes as names, or objects with “name”, and "
                         "optionally “selected” and “award” (true or false)")
    name, selected, award = item.get("name"), item.get("selected", False), \
        item.get("award", False)
    if (not isinstance(name, str) or not name.strip() or len(name) > 100
            or text_problem(name, multiline=False) is not None):
        raise ValueError("must name each outcome (text on one line, at most 100 characters)")
    if not isinstance(selected, bool) or not isinstance(award, bool):
        raise ValueError("must give “selected” and “award” as true or false")
    return Outcome(" ".join(name.split()), selected, award)


def _dump_outcomes(value: tuple[Outcome, ...] | None) -> object:
    return None if value is None else [
        {"name": o.name, "selected": o.selected, "award": o.award} for o in value]


def _outcomes(value: object) -> tuple[Outcome, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or not value:
        raise ValueError("must be a list of outcomes, best first, or empty for the defaults")
    outcomes = tuple(_outcome(item) for item in value)
    names = [o.name.casefold() for o in outcomes]
    if len(set(names)) != len(names):
        raise ValueError("must not name an outcome twice")
    return outcomes


DISAGREEMENT_RANGE: Setting[float | None] = Setting(
    ("disagreement_range",), DEFAULT_MAX_RANGE, _points_or_off,
    "the disagreement limit on the range of totals", per_round=True)
DISAGREEMENT_SD: Setting[float | None] = Setting(
    ("disagreement_sd",), DEFAULT_MAX_SD, _points_or_off,
    "the disagreement limit on the standard deviation of totals", per_round=True)
RANKING_BASIS: Setting[Basis] = Setting(
    ("ranking_basis",), DEFAULT_BASIS, _basis, "the ranking the reports lead with")
SUMMARY_FIELD: Setting[str | None] = Setting(
    ("summary_field",), None, _text_or_none,
    "the form field that holds an application's public summary")
REPORTS_NAME_JUDGES: Setting[bool] = Setting(
    ("reports", "name_judges"), False, _yes_no,
    "whether the dossier and activity reports name judges (else Judge A, B, …)")
REPORTS_FEEDBACK_SCORES: Setting[bool] = Setting(
    ("reports", "feedback_scores"), False, _yes_no,
    "whether applicant feedback may show scores")
REPORTS_FEEDBACK_JUDGE_NAMES: Setting[bool] = Setting(
    ("reports", "feedback_judge_names"), False, _yes_no,
    "whether applicant feedback may name judges")
FEEDBACK_LEGACY_COMMENTS: Setting[bool] = Setting(
    ("feedback", "legacy_comments_to_applicant"), False, _yes_no,
    "whether the comments of results files older than version 3 (written before judges "
    "had a separate text for the applicant) may reach applicants as feedback")
EXPORTS_CONTACT_DETAILS: Setting[bool] = Setting(
    ("exports", "contact_details"), False, _yes_no,
    "whether exports include each applicant's contact name and e-mail (to notify them)")
DECISION_OUTCOMES: Setting[tuple[Outcome, ...] | None] = Setting(
    ("decisions", "outcomes"), None, _outcomes,
    "the decisions a panel can take, best first (empty: winner, finalist, honourable "
    "mention, not selected; or, when the round has a budget, funded, not funded)",
    dump=_dump_outcomes)
REPORTS_FEEDBACK_OUTCOME: Setting[bool] = Setting(
    ("reports", "feedback_outcome"), False, _yes_no,
    "whether applicant feedback may say the panel's decision")

SETTINGS: tuple[Setting[Any], ...] = (
    DISAGREEMENT_RANGE, DISAGREEMENT_SD, RANKING_BASIS, SUMMARY_FIELD, REPORTS_NAME_JUDGES,
    REPORTS_FEEDBACK_SCORES, REPORTS_FEEDBACK_JUDGE_NAMES, FEEDBACK_LEGACY_COMMENTS,
    EXPORTS_CONTACT_DETAILS, DECISION_OUTCOMES, REPORTS_FEEDBACK_OUTCOME)
"""Every setting, in the order a listing shows them."""

_MISSING = object()


def _lookup(source: Mapping[str, Any], path: tuple[str, ...]) -> object:
    node: object = source
    for key in path:
        if not isinstance(node, Mapping) or key not in node:
            return _MISSING
        node = node[key]
    return node


def _round_overrides(program: Program, round_: Round | None) -> Mapping[str, Any]:
    if round_ is None:
        return {}
    rounds = (program.settings or {}).get(ROUND_SETTINGS)
    own = rounds.get(str(round_.number)) if isinstance(rounds, Mapping) else None
    return own if isinstance(own, Mapping) else {}


def setting_value(program: Program, setting: Setting[T], round_: Round | None = None) -> T:
    """The setting as ``program`` has it: the round's override, the program's value, or
    the default; a stored value that breaks the setting's rule is refused."""
    sources = [_round_overrides(program, round_)] if setting.per_round else []
    for source in [*sources, program.settings or {}]:
        value = _lookup(source, setting.path)
        if value is not _MISSING:
            try:
                return setting.check(value)
            except ValueError as problem:
                raise ValidationError(
                    f"The program setting “{setting.key}” ({setting.what}) {problem}. "
                    "Correct it in the program's settings.",
                    detail=f"got {value!r}", path=setting.key) from None
    return setting.default


def forget_round_settings(program: Program, number: int) -> None:
    """Drop round ``number``'s overrides (its round is deleted; a new round taking the
    number must not inherit them). The caller records the deletion."""
    rounds = (program.settings or {}).get(ROUND_SETTINGS)
    if isinstance(rounds, Mapping) and str(number) in rounds:
        settings = dict(program.settings or {})
        settings[ROUND_SETTINGS] = {k: v for k, v in rounds.items() if k != str(number)}
        program.settings = settings


def set_setting(session: Session, program: Program, setting: Setting[T], value: object,
                actor: str, *, round_: Round | None = None) -> T:
    """Store ``value`` (checked) for the program, or for one round when the setting allows
    it; audited. Returns the value as stored."""
    try:
        checked = setting.check(value)
    except ValueError as problem:
        raise ValidationError(f"{setting.what.capitalize()} {problem}.", path=setting.key,
                              detail=f"got {value!r}") from None
    if round_ is not None and not setting.per_round:
        raise ValidationError(f"{setting.what.capitalize()} is set for the whole program, "
                              "not per round.", path=setting.key)
    settings = dict(program.settings or {})
    target = settings
    path = ((ROUND_SETTINGS, str(round_.number)) if round_ is not None else ()) + setting.path
    for key in path[:-1]:
        inner = target.get(key)
        target[key] = dict(inner) if isinstance(inner, Mapping) else {}
        target = target[key]
    target[path[-1]] = setting.stored(checked)
    program.settings = settings
    session.flush()
    audit.append(session, actor, SETTING_ACTION, {
        "setting": setting.key, "value": setting.stored(checked),
        "round": round_.number if round_ is not None else None})
    return checked
