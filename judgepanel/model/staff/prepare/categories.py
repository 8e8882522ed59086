"""Categories: the components of a recognition program or the tracks of a grants program.

An application belongs to one or more categories; judges can be listed per
category; budgets can be set per category. Rankings, shortlists and reports
are produced per category as well as overall (elsewhere).

Categories are matched by a stable ``key`` (a slug of the name) so that an
import saying "education" finds "Education", and renaming a category for
display does not break files that name it.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from judgepanel.errors import ValidationError
from judgepanel.model.staff.schema.program import Application, Category, Judge, Program
from judgepanel.text import ascii_slug, text_problem

# The recognition demo's ten components of the compact on combating hate and
# promoting inclusion (plausible names; the demo and tests use them).
RECOGNITION_COMPONENTS: tuple[str, ...] = (
    "Public leadership",
    "Education",
    "Policing and hate-crime reporting",
    "Support for victims",
    "Community dialogue",
    "Youth engagement",
    "Inclusive public services",
    "Data and monitoring",
    "Online hate and media",
    "Partnerships with civil society",
)

MAX_KEY = 64


def category_key(name: str) -> str:
    """A stable, lowercase ASCII slug: "Policing and hate-crime reporting" -> "policing-and-hate-crime-reporting"."""  # noqa: E501
    return ascii_slug(name)[:MAX_KEY].rstrip("-")


def add_category(
    session: Session,
    program: Program,
    name: str,
    *,
    key: str | None = None,
    budget: Decimal | None = None,
) -> Category:
    """Add a category at the end of the program's list; refuses a duplicate key."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Give the category a name.", path="name")
    if (problem := text_problem(name, multiline=False)) is not None:  # judgepanel/text.py
        raise ValidationError(f"The category's name {problem}. Delete that character.",
                              path="name")
    key = category_key(key or name)
    if not key:
        raise ValidationError(
            f"The category name “{name}” needs at least one letter or digit.", path="name"
        )
    if find_category(session, program, key) is not None:
        raise ValidationError(f"There is already a category “{name}”.", path="name")
    if budget is not None and budget < 0:
        raise ValidationError("A budget cannot be negative.", path="budget")
    position = session.scalar(
        select(func.count()).select_from(Category).where(Category.program_id == program.id)
    )
    category = Category(
        program_id=program.id, key=key, name=name, position=position or 0, budget=budget
    )
    session.add(category)
    session.flush()
    return category


def list_categories(session: Session, program: Program) -> list[Category]:
    return list(
        session.scalars(
            select(Category)
            .where(Category.program_id == program.id)
            .order_by(Category.position, Category.id)
        )
    )


def find_category(session: Session, program: Program, name_or_key: str) -> Category | None:
    """The category whose key or name matches (case, accents and punctuation ignored)."""
    wanted = category_key(name_or_key)
    if not wanted:
        return None
    for category in list_categories(session, program):
        if category.key == wanted or category_key(category.name) == wanted:
            return category
    return None


def set_application_categories(application: Application, categories: Iterable[Category]) -> None:
    """Replace the application's categories (order kept, duplicates dropped)."""
    unique: dict[int, Category] = {}
    for category in categories:
        unique.setdefault(id(category), category)
    application.categories = list(unique.values())


def set_judge_categories(judge: Judge, categories: Iterable[Category]) -> None:
    """Replace the categories whose applications this judge reviews."""
    unique: dict[int, Category] = {}
    for category in categories:
        unique.setdefault(id(category), category)
    judge.categories = list(unique.values())
