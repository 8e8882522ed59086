"""The rules a results file's content must meet, and every refusal code with its message.

Kept apart from ``merging`` (which reads files and records outcomes) so the rules can
be read, and tested, on their own: given the rubric, what the bundle held and the
results document, :func:`content_refusal` says why the file must be refused, or
nothing. An application is covered when it is fully scored, declared a conflict, or
marked unable to review with a reason (the file format requires the reason).
Completeness uses ``scoring.review_problems``, the very check the judge's app runs
before export, so a file the judge could export is never refused for a rule the
judge could not see.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from judgepanel.errors import ResultsRefusedError
from judgepanel.formats.detect import WORK_FILE_IS_NOT_RESULTS
from judgepanel.formats.results.spec import ResultsContent, ReviewEntry
from judgepanel.model.rubric.definition import Rubric
from judgepanel.model.scoring.totals import review_problems

ASK_AGAIN = "Ask the judge to export the results again and send the new file."

REASONS: dict[str, str] = {
    "unreadable": "The file could not be read. Check that it exists and is not open in "
                  "another program, then try again.",
    # Said as it is: a key that does not fit and a header damaged on the way look alike
    # (the wrapped file key fails to open either way), so the message names both.
    "wrong_key": "None of this program's staff keys opens this results file: either it was "
                 "encrypted to another key (it belongs to another program, or another staff "
                 "identity was chosen for the merge), or its header was damaged on the way. "
                 "Choose the program's staff identity; if that fails, "
                 + ASK_AGAIN[0].lower() + ASK_AGAIN[1:],
    "not_results": "This is not a JudgePanel results file.",
    "work_file": WORK_FILE_IS_NOT_RESULTS,
    "damaged": "The results file is damaged or was changed after the judge signed it. "
               + ASK_AGAIN,
    "newer_version": "This results file was made by a newer JudgePanel. Update JudgePanel, "
                     "then merge it again.",
    "unknown_bundle": "This results file answers a bundle this workspace never issued. Check "
                      "that it belongs to this program.",
    "bad_signature": "The signature does not match the key enrolled for the judge this "
                     "bundle was sent to, so the scores cannot be trusted. Call the judge to "
                     "check where the file came from.",
    "wrong_judge": "This results file answers a bundle issued to another judge.",
    "superseded": "These results answer an older bundle that was replaced by a newer one. "
                  "Ask the judge to open the newer bundle, finish it and export from it.",
    "manifest_mismatch": "These results were made from a different copy of the bundle than "
                         "the one issued. Ask the judge to export again from the bundle you "
                         "sent.",
    "replay": "These results were already merged (the same export). Nothing was changed.",
    "older": "A newer export of these results was received before; this older one was not "
             "used.",
    "diverged": "This export and the one already merged were made separately (on two "
                "computers from the same start, or after the judge started again) and "
                "they differ. It is held for you: compare the two in the results inbox and "
                "choose the one that counts.",
    "not_assigned": "The results include applications that were not in the bundle sent to "
                    "this judge.",
    "criteria_mismatch": "The scored criteria do not match this round's rubric.",
    "invalid_score": "Some scores are not on the rubric's scale.",
    "incomplete": "The results are not complete.",
}
"""Every refusal code and its plain message (the row's message adds the specifics)."""



def refusal(code: str, extra: str = "", detail: str = "") -> ResultsRefusedError:
    message = REASONS[code] + (f" {extra}" if extra else "")
    return ResultsRefusedError(message, code, detail=detail)


def listing(items: Iterable[str], limit: int = 5) -> str:
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def content_refusal(rubric: Rubric, contents: Mapping[str, str], content: ResultsContent
                    ) -> ResultsRefusedError | None:
    """Why the results do not cover the bundle properly, or None when they do.

    ``contents`` maps the bundle's application ids to the references staff know them
    by. A criterion the rubric lacks, or one of the rubric's criteria scored in *no*
    review of the file, means the judge scored against another rubric
    (``criteria_mismatch``); a score missing from some reviews only is ``incomplete``.
    """
    declarations = {d.application_id: d for d in content.declarations}
    reviews = {r.application_id: r for r in content.reviews}
    unable = {u.application_id for u in content.unable_to_review}
    foreign = sorted((declarations.keys() | reviews.keys() | unable) - contents.keys())
    if foreign:
        return refusal("not_assigned", f"({listing(foreign)}). {ASK_AGAIN}",
                        detail=f"not in the bundle: {foreign}")
    plainly_complete = _plain_completeness(rubric, feedback=content.format_version >= 3)
    # A review plainly complete scores exactly the rubric's criteria: when every review
    # is, no criterion can be foreign or never scored (the usual file skips the walk).
    plain = {app_id for app_id, review in reviews.items() if plainly_complete(review)}
    if len(plain) != len(reviews):
        scored_keys = {s.criterion for review in content.reviews for s in review.scores}
        unknown = sorted(scored_keys - rubric.key_set)
        if unknown:
            return refusal("criteria_mismatch",
                            f"It scores criteria the rubric does not have: {listing(unknown)}. "
                            + ASK_AGAIN, detail=f"unknown criteria {unknown}")
        never = [k for k in rubric.keys if k not in scored_keys]
        if never:
            return refusal("criteria_mismatch",
                            f"No application was scored on: {listing(never)}. " + ASK_AGAIN,
                            detail=f"criteria never scored {never}")
    incomplete: list[str] = []
    off_scale: list[str] = []
    for app_id, ref in contents.items():
        declaration = declarations.get(app_id)
        if declaration is None:
            incomplete.append(f"{ref}: no conflict-of-interest declaration")
            continue
        if declaration.conflict or app_id in unable:
            continue
        review = reviews.get(app_id)
        if review is None:
            incomplete.append(f"{ref}: not scored")
            continue
        if app_id in plain:
            continue
        scores = {s.criterion: s.score for s in review.scores}
        comments = {s.criterion: s.comment for s in review.scores}
        # Feedback rules bind files of version 3; older ones had no place for it.
        feedback = ({s.criterion: s.feedback for s in review.scores}
                    if content.format_version >= 3 else None)
        for problem in review_problems(rubric, scores, comments, feedback,
                                       review.overall_feedback):
            target = off_scale if problem.kind == "off_scale" else incomplete
            target.append(f"{ref}: {problem.message.rstrip('.')}")  # one full stop
    if off_scale:
        return refusal("invalid_score", f"{listing(off_scale, 3)}. {ASK_AGAIN}",
                        detail="; ".join(off_scale))
    if incomplete:
        return refusal("incomplete", f"{listing(incomplete, 3)}. Ask the judge to finish "
                        "and export again.", detail="; ".join(incomplete))
    return None


def _plain_completeness(rubric: Rubric, *, feedback: bool
                        ) -> Callable[[ReviewEntry], bool]:
    """A check that a review is complete, for ``review_problems`` to explain if not.

    Every criterion scored once on its scale, no other key, a comment wherever the
    rubric asks for one and (with ``feedback``: a version-3 file) feedback for the
    applicant wherever it asks for that: the same rules as ``review_problems``, without
    building a list of problems for the 10,000 reviews of a national round that have none.
    """
    count = len(rubric.criteria)
    # Per criterion: the scale's points, those that need a comment and those that need
    # feedback (found once).
    checks = {c.key: (c.scale_points,
                      frozenset(p for p in c.scale_points if c.comment.requires_comment(p)),
                      frozenset(p for p in c.scale_points
                                if feedback and c.applicant_feedback.requires_comment(p)))
              for c in rubric.criteria}
    overall = feedback and rubric.overall_feedback_required

    def check(review: ReviewEntry) -> bool:
        scores = review.scores
        if len(scores) != count or len({entry.criterion for entry in scores}) != count:
            return False
        if overall and not review.overall_feedback.strip():
            return False
        for entry in scores:
            found = checks.get(entry.criterion)
            if found is None:
                return False
            score = entry.score
            if type(score) not in _NUMBER_TYPES or score not in found[0]:
                return False
            if score in found[1] and not entry.comment.strip():
                return False
            if score in found[2] and not entry.feedback.strip():
                return False
        return True

    return check


_NUMBER_TYPES = (int, float)  # with ``type(x) in``: a bool is not a score
