"""Automatic assignment of judges to applications.

Rules, in order of strength:

1. Conflicts are hard: a (judge, application) pair in ``conflicts`` is never
   assigned. An ``existing`` pair that is now in conflict is dropped (reported
   in ``dropped``) and the application gets a replacement judge.
2. Eligibility: when ``eligible`` is given, an application listed there may
   only go to the judges listed for it (per-category panels). An application
   missing from the mapping may go to any judge.
3. ``max_load`` caps how many applications a judge holds, existing ones
   included.
4. Each application gets ``per_application`` judges where rules 1-3 allow;
   where they do not, ``unmet`` says how many are missing and why, in words
   staff can act on.
5. Loads are balanced: the new pairs go to the least-loaded allowed judge, and
   a final pass moves pairs from the busiest to the least busy judges while
   the spread exceeds 1 and a move is allowed. (With narrow eligibility a
   spread above 1 can be unavoidable.)

Method: judges are handed out in rounds (every application gets its first
judge, then its second, ...) so that a shortage of capacity leaves many
applications one judge short rather than some with none. Within a round,
applications go most constrained first (fewest spare allowed judges) and each
takes its least-loaded allowed judge, ties broken by a pseudo-random draw from
``seed``. Applications left short because every allowed judge is at the cap are
then repaired with augmenting paths (a full judge moves from another
application to this one, which takes a judge with room, and so on); then the
balancing pass. Existing pairs are never moved. Same inputs and seed, same
result, whatever PYTHONHASHSEED is. About 0.2 s for 2,000 applications x 120
judges x 5.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field

from judgepanel.errors import ValidationError
from judgepanel.text import plural

Pair = tuple[str, str]  # (judge_id, application_id)


@dataclass(frozen=True)
class Shortfall:
    """An application left short of judges, and why (in words staff can act on).

    ``app_id`` is the application as the message should name it: the planner's own key,
    or the reference the workspace replaces it with (``assignments.auto_assign``).
    """

    app_id: str
    missing: int
    reason: str

    def __str__(self) -> str:
        judges = "judge" if self.missing == 1 else "judges"
        return f"{self.app_id}: {self.missing} {judges} short ({self.reason})"


@dataclass
class AssignmentPlan:
    pairs: set[Pair]  # every assignment: kept existing pairs plus new ones
    loads: dict[str, int]  # judge -> applications held, existing ones included
    unmet: list[Shortfall]
    added: set[Pair] = field(default_factory=set)  # the new pairs only
    dropped: list[Pair] = field(default_factory=list)  # existing pairs removed for a conflict


class _Planner:
    """Mutable state of one assignment run; kept private so ``assign`` stays a function."""

    def __init__(
        self,
        applications: Sequence[str],
        judges: Sequence[str],
        per_application: int,
        max_load: int | None,
        conflicts: Set[Pair],
        existing: Set[Pair],
        seed: int,
        eligible: Mapping[str, Set[str]] | None,
    ) -> None:
        self.apps = list(applications)
        self.judges = list(judges)
        self.per_app = per_application
        self.cap = math.inf if max_load is None else max_load
        self.max_load = max_load
        self.conflicts = conflicts
        self.eligible = eligible
        self.rng = random.Random(seed)
        known = set(self.judges)
        self.load = dict.fromkeys(self.judges, 0)
        self.on_app: dict[str, set[str]] = {a: set() for a in self.apps}
        self.fixed: set[Pair] = set()
        self.dropped: list[Pair] = []
        for judge, app in sorted(existing):
            if judge not in known:
                raise ValidationError(
                    f"An existing assignment names judge {judge}, who is not on the panel. "
                    "Add the judge back or remove that assignment first.",
                    path=f"{judge}/{app}",
                )
            if (judge, app) in conflicts:
                self.dropped.append((judge, app))
                continue
            self.fixed.add((judge, app))
            self.load[judge] += 1
            if app in self.on_app:
                self.on_app[app].add(judge)
        self.held: dict[str, list[str]] = {j: [] for j in self.judges}  # new pairs only
        self.allowed: dict[str, list[str]] = {}
        for app in self.apps:
            pool = self._eligible(app)
            self.allowed[app] = [j for j in pool if (j, app) not in conflicts]
        self.allowed_sets = {a: set(js) for a, js in self.allowed.items()}

    def _eligible(self, app: str) -> list[str]:
        if self.eligible is None or app not in self.eligible:
            return self.judges
        wanted = self.eligible[app]
        return [j for j in self.judges if j in wanted]

    def need(self, app: str) -> int:
        return max(0, self.per_app - len(self.on_app[app]))

    def add(self, judge: str, app: str) -> None:
        self.on_app[app].add(judge)
        self.held[judge].append(app)
        self.load[judge] += 1

    def remove(self, judge: str, app: str) -> None:
        self.on_app[app].discard(judge)
        self.held[judge].remove(app)
        self.load[judge] -= 1

    # --- greedy ----------------------------------------------------------------

    def greedy(self) -> None:
        """Hand out judges in rounds (every application its 1st, then its 2nd, ...).

        Rounds spread a shortage of capacity thinly (four judges each rather than
        none for some) and keep loads level as they grow.
        """
        draw = {a: self.rng.random() for a in self.apps}
        order = sorted(self.apps, key=lambda a: (len(self.allowed[a]) - self.need(a), draw[a]))
        for _ in range(max((self.need(a) for a in self.apps), default=0)):
            for app in order:
                if self.need(app) == 0:
                    continue
                taken = self.on_app[app]
                best = min(
                    (
                        (self.load[j], self.rng.random(), j)
                        for j in self.allowed[app]
                        if j not in taken and self.load[j] < self.cap
                    ),
                    default=None,
                )
                if best is not None:
                    self.add(best[2], app)

    # --- repair: augmenting paths through full judges --------------------------------

    def repair(self) -> None:
        dead: set[str] = set()
        for app in self.apps:
            while self.need(app) > 0 and app not in dead:
                if not any(self.load[j] < self.cap for j in self.judges):
                    return
                if self._augment(app, dead):
                    dead.clear()  # the graph changed: an app that was stuck may not be now
                else:
                    dead.add(app)

    def _augment(self, start: str, dead: set[str]) -> bool:
        """Find and apply one path giving ``start`` one more judge; False if there is none."""
        parent: dict[str, tuple[str, str]] = {}  # app -> (app it gives a judge to, judge)
        seen_apps = {start}
        seen_judges: set[str] = set()
        queue = deque([start])
        while queue:
            app = queue.popleft()
            for judge in self.allowed[app]:
                if judge in self.on_app[app] or judge in seen_judges:
                    continue
                if self.load[judge] < self.cap:
                    self.add(judge, app)
                    while app != start:  # walk back: each judge moves one step up the path
                        up, moved = parent[app]
                        self.remove(moved, app)
                        self.add(moved, up)
                        app = up
                    return True
                seen_judges.add(judge)
                for other in self.held[judge]:
                    if other not in seen_apps and other not in dead:
                        seen_apps.add(other)
                        parent[other] = (app, judge)
                        queue.append(other)
        return False

    # --- balance ---------------------------------------------------------------------------

    def balance(self) -> None:
        """Move single pairs from heavy to light judges while that narrows the spread."""
        moved = True
        while moved:
            moved = False
            by_load = sorted(self.judges, key=lambda j: self.load[j])
            for heavy in reversed(by_load):
                for light in by_load:
                    if self.load[heavy] - self.load[light] < 2:
                        break
                    if self._move_one(heavy, light):
                        moved = True
                        break
                if moved or self.load[heavy] - self.load[by_load[0]] < 2:
                    break

    def _move_one(self, heavy: str, light: str) -> bool:
        for app in self.held[heavy]:
            if light not in self.on_app[app] and light in self.allowed_sets[app]:
                self.remove(heavy, app)
                self.add(light, app)
                return True
        return False

    # --- result ------------------------------------------------------------------------------

    def shortfalls(self) -> list[Shortfall]:
        out = []
        for app in self.apps:
            missing = self.need(app)
            if missing:
                out.append(Shortfall(app, missing, self._reason(app)))
        return out

    def _reason(self, app: str) -> str:
        restricted = self.eligible is not None and app in self.eligible
        pool = len(self._eligible(app))
        allowed = len(self.allowed[app])
        kind = "eligible judge" if restricted else "judge"
        if allowed < self.per_app:
            if allowed < pool:
                return f"only {plural(allowed, kind)} without a conflict"
            return f"only {plural(pool, kind)}" + ("" if restricted else " on the panel")
        who = "every eligible judge" if restricted else "every judge"
        return f"{who} without a conflict is at the load cap of {self.max_load}"

    def result(self) -> AssignmentPlan:
        added = {(j, a) for j, apps in self.held.items() for a in apps}
        return AssignmentPlan(
            pairs=self.fixed | added,
            loads=dict(self.load),
            unmet=self.shortfalls(),
            added=added,
            dropped=self.dropped,
        )


def plan_assignments(
    applications: Sequence[str],
    judges: Sequence[str],
    *,
    per_application: int,
    max_load: int | None = None,
    conflicts: Set[Pair] = frozenset(),
    existing: Set[Pair] = frozenset(),
    seed: int = 0,
    eligible: Mapping[str, Set[str]] | None = None,
) -> AssignmentPlan:
    """Assign ``per_application`` judges to each application (see the module docstring)."""
    _check_ids(applications, "application")
    _check_ids(judges, "judge")
    if isinstance(per_application, bool) or not isinstance(per_application, int):
        raise ValidationError("Judges per application must be a whole number.")
    if per_application < 1:
        raise ValidationError("Each application needs at least 1 judge.")
    if max_load is not None and (
        isinstance(max_load, bool) or not isinstance(max_load, int) or max_load < 1
    ):
        raise ValidationError("The load cap must be a whole number of at least 1.")
    planner = _Planner(
        applications,
        judges,
        per_application,
        max_load,
        set(conflicts),
        set(existing),
        seed,
        eligible,
    )
    planner.greedy()
    planner.repair()
    planner.balance()
    return planner.result()


def _check_ids(ids: Sequence[str], kind: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValidationError(f"The {kind} {item} is listed twice.", path=item)
        seen.add(item)
