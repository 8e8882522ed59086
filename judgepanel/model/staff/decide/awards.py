"""Staff's awards: the amount each funded application gets, set by hand and audited.

The funding line (``scoring.funding``, drawn by the leaderboard) takes an award as
given, whatever the ranking says: a partial award at the line, a full award out of
order, or 0 to pass an application over. Money is exact (``Decimal``, to the cent).
An award made from an application's older version (another officer changed it since)
is refused with the new value (``storage.versions``).
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy.orm import Session

from judgepanel.errors import ValidationError
from judgepanel.model.staff import audit
from judgepanel.model.staff.schema.program import Application
from judgepanel.model.storage.versions import claim


def _award_now(application: Application) -> str:
    amount = application.awarded_amount
    return ("it now has no award (the funding line decides)" if amount is None
            else f"it is now {amount:,.2f}")


def check_award(ref: str, requested: Decimal | None,
                amount: Decimal | int | None) -> Decimal | None:
    """The award as it would be kept, or ValidationError saying why not (nothing needed
    but the application's reference and requested amount, so a dialog can ask first)."""
    if amount is None:
        return None
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise ValidationError("The award must be an exact amount of money.", path="award",
                              detail=f"got {amount!r}")
    amount = Decimal(amount)
    if not amount.is_finite() or amount < 0:
        raise ValidationError("The award must be zero or more.", path="award")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError("The award cannot have fractions of a cent.", path="award")
    if requested is None:
        raise ValidationError(
            f"{ref} has no requested amount. Enter what it asked for before setting an "
            "award.", path="award")
    if amount > requested:
        raise ValidationError(
            f"The award for {ref} ({amount:,.2f}) is more than it requested "
            f"({requested:,.2f}).", path="award")
    return amount


def set_award(session: Session, application: Application, amount: Decimal | int | None,
              actor: str, *, note: str = "", expected_version: int | None = None) -> int:
    """Record staff's award for an application (partial, full, 0 to pass over; None clears).

    The funding line takes it as given, whatever the ranking says (see funding.py).
    ``expected_version``: the application's version the edit was made from (refused if
    another officer changed it since). Returns its version now.
    """
    claim(session, application, expected_version, actor,
          what=f"the award for {application.ref}", now=_award_now)
    amount = check_award(application.ref, application.requested_amount, amount)
    previous = application.awarded_amount
    application.awarded_amount = amount
    session.flush()
    audit.append(session, actor, "award.set", {
        "application": application.ref,
        "amount": None if amount is None else f"{amount:.2f}",
        "previous": None if previous is None else f"{previous:.2f}",
        "note": note.strip()})
    return application.version
