"""One judge's review of one application: its total, and whether it is complete.

The same two functions serve the judge's "Submit" check, the staff merge check
and the statistics, so a review that the judge's app accepted is never refused
at merge for a rule the judge could not see.

Total: each counting criterion is mapped to 0..100 with
``(score - min) / (max - min) * 100`` and the total is the weighted mean of
those, ``sum(w_i * n_i) / sum(w_i)``. Criteria with ``counts = false`` are
scored and checked but do not enter the total. A total exists only when every
counting criterion has a score: a partial total would look like a low score.

Completeness: every criterion of the rubric (counting or not) has a score on
its scale, every comment the rubric requires is present (non-blank), and no
score or comment names a criterion the rubric does not have.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from judgepanel.model.rubric.definition import Rubric

ProblemKind = Literal["missing_score", "off_scale", "comment_required", "feedback_required",
                      "overall_feedback_required", "unknown_criterion"]
FEEDBACK_WORDS = "feedback for the applicant"
"""What the problems list calls the applicant's text (``comment`` is the panel's)."""


@dataclass(frozen=True)
class ReviewProblem:
    """Why a review cannot be submitted yet; ``message`` is shown to the judge as is."""

    kind: ProblemKind
    criterion: str | None  # the criterion key (None: the review as a whole)
    message: str


def weighted_total(rubric: Rubric, scores: Mapping[str, float | None]) -> float | None:
    """The review's total on 0..100, or None while a counting criterion is unscored.

    Raises ValidationError if a counting criterion's score is not on its scale;
    keys the rubric does not know and non-counting criteria are ignored here
    (``review_problems`` reports them).
    """
    shares: list[float] = []
    for key, points, criterion in rubric.counting_shares:
        score = scores.get(key)
        # A ranking totals every review of a round (10,000 in a national one): a float
        # on the scale finds its share precomputed. Anything else (None, off the scale,
        # an int, a bool, a Decimal, a float subclass) takes the full path, which
        # returns, raises or gives the same share.
        share = points.get(score) if type(score) is float else None
        if share is None:
            if score is None:
                return None
            criterion.check_score(score)
            share = criterion.weight * criterion.normalise(score)
        shares.append(share)
    return math.fsum(shares) / rubric.counting_weight


def review_problems(
    rubric: Rubric,
    scores: Mapping[str, float | None],
    comments: Mapping[str, str | None],
    feedback: Mapping[str, str | None] | None = None,
    overall_feedback: str | None = None,
) -> list[ReviewProblem]:
    """Everything that stops this review from being complete, in rubric order.

    An empty list means the review may be submitted (or, at merge, accepted).
    ``feedback`` (per criterion) and ``overall_feedback`` are the texts for the
    applicant; None (a results file older than version 3) skips their rules.
    """
    problems: list[ReviewProblem] = []
    for criterion in rubric.criteria:
        score = scores.get(criterion.key)
        if score is None:
            problems.append(
                ReviewProblem("missing_score", criterion.key, f"“{criterion.title}”: give a score.")
            )
        elif not criterion.is_on_scale(score):
            problems.append(
                ReviewProblem(
                    "off_scale",
                    criterion.key,
                    f"“{criterion.title}”: {score!r} is not on the scale "
                    f"({criterion.scale_text()}).",
                )
            )
            continue  # a comment rule on a meaningless score would only add noise
        if criterion.comment.requires_comment(score) and not _has_text(comments.get(criterion.key)):
            problems.append(
                ReviewProblem(
                    "comment_required",
                    criterion.key,
                    f"“{criterion.title}”: "
                    f"{criterion.comment.describe('a comment for the panel')}.",
                )
            )
        if (feedback is not None and criterion.applicant_feedback.requires_comment(score)
                and not _has_text(feedback.get(criterion.key))):
            problems.append(ReviewProblem(
                "feedback_required", criterion.key,
                f"“{criterion.title}”: {criterion.applicant_feedback.describe(FEEDBACK_WORDS)}."))
    if (feedback is not None and rubric.overall_feedback_required
            and not _has_text(overall_feedback)):
        problems.append(ReviewProblem(
            "overall_feedback_required", None,
            f"overall {FEEDBACK_WORDS} is required."))
    unknown = (scores.keys() | comments.keys() | (feedback or {}).keys()) - rubric.key_set
    for key in sorted(unknown, key=str):
        problems.append(
            ReviewProblem(
                "unknown_criterion",
                key,
                f"“{key}” is not a criterion of the rubric “{rubric.name}”.",
            )
        )
    return problems


def is_complete(
    rubric: Rubric, scores: Mapping[str, float | None], comments: Mapping[str, str | None]
) -> bool:
    return not review_problems(rubric, scores, comments)


def _has_text(comment: object) -> bool:
    return isinstance(comment, str) and bool(comment.strip())
