"""The funding line down the ranking, partial awards, and money as Decimal."""

from __future__ import annotations

import dataclasses
from decimal import Decimal as D

import pytest

from judgepanel.errors import ValidationError
from judgepanel.model.scoring.funding import FundingLine, funding_line

RANKED = [("A", D(40_000)), ("B", D(35_000)), ("C", D(30_000)), ("D", D(10_000))]


def _table(line: FundingLine) -> list[tuple[str, D, str]]:
    return [(r.application_id, r.awarded, r.status) for r in line.rows]


def test_fund_in_order_until_one_does_not_fit_then_stop() -> None:
    line = funding_line(RANKED, D(100_000))
    # A 40k fits (60k left), B 35k fits (25k left), C 30k > 25k: the line is drawn at C.
    # D's 10k would fit in the 25k left, but the line does not skip C.
    assert _table(line) == [
        ("A", D(40_000), "funded"),
        ("B", D(35_000), "funded"),
        ("C", D(0), "unfunded"),
        ("D", D(0), "unfunded"),
    ]
    assert line.line_at == "C"
    assert [r.below_line for r in line.rows] == [False, False, True, True]
    assert [r.running_total for r in line.rows] == [D(40_000), D(75_000), D(75_000), D(75_000)]
    assert [r.remaining for r in line.rows] == [D(60_000), D(25_000), D(25_000), D(25_000)]
    assert line.total_awarded == D(75_000) and line.remaining == D(25_000)
    assert not line.over_budget


def test_a_partial_award_at_the_line_uses_the_remainder() -> None:
    line = funding_line(RANKED, D(100_000), {"C": D(25_000)})
    # A 40k + B 35k = 75k; staff give C 25k of its 30k -> 0 left; D 10k does not fit.
    assert _table(line) == [
        ("A", D(40_000), "funded"),
        ("B", D(35_000), "funded"),
        ("C", D(25_000), "partial"),
        ("D", D(0), "unfunded"),
    ]
    assert line.line_at == "D"
    assert line.row("C").overridden  # type: ignore[union-attr]
    assert line.remaining == 0


def test_staff_can_fund_out_of_order_or_pass_over_an_application() -> None:
    # Out of order: D funded in full below the line; 75k + 10k = 85k, 15k left.
    line = funding_line(RANKED, D(100_000), {"D": D(10_000)})
    assert _table(line)[3] == ("D", D(10_000), "funded")
    assert line.row("D").below_line and line.row("D").overridden  # type: ignore[union-attr]
    assert line.remaining == D(15_000)
    # B withdrew (award 0): A 40k, C 30k (30k left after), D 10k -> all fit, 20k left.
    line = funding_line(RANKED, D(100_000), {"B": D(0)})
    assert _table(line) == [
        ("A", D(40_000), "funded"),
        ("B", D(0), "unfunded"),
        ("C", D(30_000), "funded"),
        ("D", D(10_000), "funded"),
    ]
    assert line.line_at is None
    assert line.remaining == D(20_000)


def test_an_override_above_the_line_moves_the_line() -> None:
    # A cut to 20k: 20k + 35k + 30k = 85k, D 10k fits too -> 95k, 5k left.
    line = funding_line(RANKED, D(100_000), {"A": D(20_000)})
    assert [r.status for r in line.rows] == ["partial", "funded", "funded", "funded"]
    assert line.remaining == D(5_000)


def test_overrides_past_the_budget_are_reported_not_refused() -> None:
    line = funding_line(RANKED, D(50_000), {"A": D(40_000), "B": D(35_000)})
    assert line.over_budget
    assert line.remaining == D(-25_000)
    assert line.line_at == "C"


def test_money_stays_exact() -> None:
    ranked = [("A", D("0.10")), ("B", D("0.10")), ("C", D("0.10"))]
    line = funding_line(ranked, D("0.30"))
    # With floats 0.1 + 0.1 + 0.1 = 0.30000000000000004 > 0.3 and C would miss out.
    assert [r.status for r in line.rows] == ["funded"] * 3
    assert line.remaining == 0
    assert funding_line([("A", 500)], 1000).remaining == D(500)  # ints are fine


def test_empty_ranking() -> None:
    line = funding_line([], D(1000))
    assert line.rows == () and line.total_awarded == 0 and line.remaining == D(1000)


@pytest.mark.parametrize(
    ("ranked", "budget", "overrides", "match"),
    [
        (RANKED, 100_000.0, None, "exact amount"),
        ([("A", 0.1)], D(1), None, "exact amount"),
        (RANKED, D(-1), None, "zero or more"),
        ([("A", D("NaN"))], D(1), None, "zero or more"),
        ([("A", D(-5))], D(1), None, "zero or more"),
        ([("A", D(1)), ("A", D(2))], D(5), None, "twice"),
        (RANKED, D(1), {"Z": D(1)}, "not in this ranking"),
        (RANKED, D(1), {"A": D(50_000)}, "more than it requested"),
        (RANKED, D(1), {"A": True}, "exact amount"),
    ],
)
def test_bad_amounts_are_refused(
    ranked: list[tuple[str, object]], budget: object, overrides: object, match: str
) -> None:
    with pytest.raises(ValidationError, match=match):
        funding_line(ranked, budget, overrides)  # type: ignore[arg-type]


def test_row_finds_each_application_and_the_first_of_a_repeated_id() -> None:
    line = funding_line(RANKED, D(100_000))
    assert [line.row(app).position for app, _ in RANKED] == [1, 2, 3, 4]  # type: ignore[union-attr]
    assert line.row("Z") is None
    # Built by hand with an id twice (funding_line refuses that): the first row wins.
    again = dataclasses.replace(line.rows[0], position=5)
    doubled = FundingLine(line.budget, (*line.rows, again), line.line_at)
    assert doubled.row("A") is line.rows[0]
    assert FundingLine(D(0), (), None).row("A") is None


def test_the_reference_never_decides_money_between_equals() -> None:
    """B and C share rank 2; the budget after A funds one of them. Listed by reference,
    B would be funded and C not: the line falls above both, and the result says so."""
    ranks = [1, 2, 2, 4]
    line = funding_line(RANKED, D(80_000), ranks=ranks)
    assert _table(line) == [("A", D(40_000), "funded"), ("B", D(0), "unfunded"),
                            ("C", D(0), "unfunded"), ("D", D(0), "unfunded")]
    assert line.line_at == "B" and line.tied_at_line == ("B", "C")
    assert line.remaining == D(40_000)
    assert line.tie_note().startswith("B and C share a rank where the budget runs out")
    # Without ranks (or with every rank distinct) the old rule stands.
    assert funding_line(RANKED, D(80_000)).line_at == "C"
    assert funding_line(RANKED, D(80_000), ranks=[1, 2, 3, 4]).tied_at_line == ()
    # Both fit, or neither fits whichever goes first: the reference chose nothing.
    assert funding_line(RANKED, D(120_000), ranks=ranks).tied_at_line == ()
    assert funding_line(RANKED, D(50_000), ranks=ranks).tied_at_line == ()
    # Listed first, B does not fit but C would: listed the other way, C would be funded.
    cheaper = [("A", D(40_000)), ("B", D(35_000)), ("C", D(10_000)), ("D", D(10_000))]
    line = funding_line(cheaper, D(60_000), ranks=ranks)
    assert _table(line)[1:3] == [("B", D(0), "unfunded"), ("C", D(0), "unfunded")]
    assert line.tied_at_line == ("B", "C") and line.line_at == "B"
    # Staff decide with awards (C its request, B nothing): no tie is left to flag.
    decided = funding_line(RANKED, D(80_000), {"B": D(0), "C": D(30_000)}, ranks)
    assert _table(decided) == [("A", D(40_000), "funded"), ("B", D(0), "unfunded"),
                               ("C", D(30_000), "funded"), ("D", D(10_000), "funded")]
    assert decided.tied_at_line == () and decided.line_at is None
    # An award to one of them alone leaves the other to the rule, as any award does.
    one = funding_line(RANKED, D(80_000), {"C": D(30_000)}, ranks)
    assert one.tied_at_line == () and one.over_budget


def test_a_tie_of_three_at_the_line_keeps_awards_set_by_staff() -> None:
    ranked = [("A", D(10)), ("B", D(10)), ("C", D(10)), ("D", D(10))]
    line = funding_line(ranked, D(25), {"D": D(5)}, [1, 1, 1, 4])
    assert _table(line) == [("A", D(0), "unfunded"), ("B", D(0), "unfunded"),
                            ("C", D(0), "unfunded"), ("D", D(5), "partial")]
    assert line.tied_at_line == ("A", "B", "C") and line.line_at == "A"
    assert line.tie_note().startswith("A, B and C share a rank")
    with pytest.raises(ValueError, match="parallel"):
        funding_line(ranked, D(25), ranks=[1, 2])
