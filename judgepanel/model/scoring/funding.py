"""The funding line: who gets money, going down the ranking, within a budget.

Rule (common grants practice, stated in the reports):

- Go down the ranking in order. An application is funded in full while its
  requested amount fits in what is left of the budget.
- The first application that does not fit draws the line: it and every
  application below it are unfunded. The line never skips a higher-ranked
  application to fund a cheaper one further down; whether to do that is a
  decision for staff, not for arithmetic.
- Staff decide exceptions by setting an award for an application
  (``overrides``): a partial award (commonly for the application at the line,
  to use the remainder), a full award out of order, or 0 to pass over an
  application (for example one that withdrew). An override is taken as given,
  above or below the line, and uses budget like any award, so an award above
  the line can move the line.
- Overrides may exceed the budget; the result then says ``over_budget`` and
  ``remaining`` is negative, so the screen can warn instead of refusing.
- Applications that share a rank are listed by reference, and the reference never
  decides money: when the line falls within such a group and what is left where the
  group starts could fund one of them (but not all), the line falls above the whole
  group and the result names it (``tied_at_line``), for staff to decide with awards.

Money is ``Decimal`` throughout (ints accepted); floats are refused because
they cannot hold amounts such as 0.10 exactly. Amounts are not rounded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Literal

from judgepanel.errors import ValidationError

FundingStatus = Literal["funded", "partial", "unfunded"]


@dataclass(frozen=True)
class FundingRow:
    position: int  # 1-based place in the ranking given
    application_id: str
    requested: Decimal
    awarded: Decimal
    running_total: Decimal  # awarded so far, this row included
    remaining: Decimal  # budget left after this row
    status: FundingStatus
    overridden: bool  # staff set this award
    below_line: bool  # at or after the application that drew the line


@dataclass(frozen=True)
class FundingLine:
    budget: Decimal
    rows: tuple[FundingRow, ...]
    line_at: str | None  # the first application that did not fit; None if all fit
    # Applications sharing a rank where the budget ran out: the line falls above them
    # all, as the ranking cannot choose between them (staff decide with awards).
    tied_at_line: tuple[str, ...] = ()

    def tie_note(self) -> str:
        """The tie at the line in words, for the board and the reports ("" if none)."""
        if not self.tied_at_line:
            return ""
        *first, last = self.tied_at_line
        return (f"{', '.join(first)} and {last} share a rank where the budget runs out: "
                "the ranking cannot choose between them, so the line falls above them. "
                "Decide by setting an award.")

    @property
    def total_awarded(self) -> Decimal:
        return self.rows[-1].running_total if self.rows else Decimal(0)

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.total_awarded

    @property
    def over_budget(self) -> bool:
        return self.remaining < 0

    def row(self, application_id: str) -> FundingRow | None:
        return self._by_id.get(application_id)

    @cached_property
    def _by_id(self) -> dict[str, FundingRow]:
        # A board with a budget looks up every row: a scan per lookup was quadratic
        # (2,000 applications: two million comparisons). Reversed, so a repeated id
        # finds its first row, as the scan did.
        return {r.application_id: r for r in reversed(self.rows)}


def funding_line(
    ranked: Sequence[tuple[str, Decimal | int]],
    budget: Decimal | int,
    overrides: Mapping[str, Decimal | int] | None = None,
    ranks: Sequence[int] | None = None,
) -> FundingLine:
    """Apply the rule above to ``ranked`` (best first: application id, requested amount).

    ``ranks``, parallel to ``ranked``, are the competition ranks ("1, 2, 2, 4"): with
    them, a line that would fall inside a group sharing a rank falls above it.
    """
    total = _money(budget, "budget", "The budget")
    given = dict(overrides or {})
    ids = [app for app, _ in ranked]
    seen: set[str] = set()
    for app in ids:
        if app in seen:
            raise ValidationError(f"Application {app} appears twice in the ranking.", path=app)
        seen.add(app)
    for app in given:
        if app not in seen:
            raise ValidationError(
                f"An award was set for application {app}, which is not in this ranking.",
                path=app,
            )
    if ranks is not None and len(ranks) != len(ids):
        raise ValueError("ranks must be parallel to ranked")
    amounts = [_money(amount, app, f"The amount requested by {app}") for app, amount in ranked]
    line = _walk(ids, amounts, total, given, len(ids))
    if ranks is None or line.line_at is None:
        return line
    at = ids.index(line.line_at)
    group = [k for k in range(len(ids)) if ranks[k] == ranks[at] and ids[k] not in given]
    left = line.rows[group[0] - 1].remaining if group[0] else total
    if len(group) < 2 or min(amounts[k] for k in group) > left:
        return line  # no equal at the line, or none of them fits whichever goes first
    if group[0] < at:  # the rule funded an equal listed first: undo that choice
        line = _walk(ids, amounts, total, given, group[0])
    return FundingLine(line.budget, line.rows, line.line_at, tuple(ids[k] for k in group))


def _walk(ids: list[str], amounts: list[Decimal], total: Decimal,
          given: Mapping[str, Decimal | int], stop: int) -> FundingLine:
    """Down the ranking; from position ``stop`` (0-based) on, the rule funds nothing."""
    rows: list[FundingRow] = []
    running = Decimal(0)
    line_at: str | None = None
    for index, (app, requested) in enumerate(zip(ids, amounts, strict=True)):
        overridden = app in given
        if overridden:
            awarded = _money(given[app], app, f"The award for {app}")
            if awarded > requested:
                raise ValidationError(
                    f"The award for {app} ({awarded}) is more than it requested ({requested}).",
                    path=app,
                )
        elif line_at is None and index < stop and requested <= total - running:
            awarded = requested
        else:
            line_at = line_at or app
            awarded = Decimal(0)
        running += awarded
        rows.append(
            FundingRow(
                position=index + 1,
                application_id=app,
                requested=requested,
                awarded=awarded,
                running_total=running,
                remaining=total - running,
                status=_status(requested, awarded),
                overridden=overridden,
                below_line=line_at is not None,
            )
        )
    return FundingLine(total, tuple(rows), line_at)


def _status(requested: Decimal, awarded: Decimal) -> FundingStatus:
    if awarded == requested:
        return "funded" if requested > 0 else "unfunded"
    return "partial" if awarded > 0 else "unfunded"


def _money(value: object, path: str, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValidationError(
            f"{what} must be an exact amount of money.", path=path, detail=f"got {value!r}"
        )
    amount = Decimal(value)
    if not amount.is_finite() or amount < 0:
        raise ValidationError(f"{what} must be zero or more.", path=path, detail=f"got {value!r}")
    return amount
