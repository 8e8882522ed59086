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
) -> FundingLine:
    """Apply the rule above to ``ranked`` (best first: application id, requested amount)."""
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
    rows: list[FundingRow] = []
    running = Decimal(0)
    line_at: str | None = None
    for position, (app, amount) in enumerate(ranked, start=1):
        requested = _money(amount, app, f"The amount requested by {app}")
        overridden = app in given
        if overridden:
            awarded = _money(given[app], app, f"The award for {app}")
            if awarded > requested:
                raise ValidationError(
                    f"The award for {app} ({awarded}) is more than it requested ({requested}).",
                    path=app,
                )
        elif line_at is None and requested <= total - running:
            awarded = requested
        else:
            line_at = line_at or app
            awarded = Decimal(0)
        running += awarded
        rows.append(
            FundingRow(
                position=position,
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
