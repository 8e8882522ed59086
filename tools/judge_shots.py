"""The judge app's screenshots (identity, bundle, declarations, scoring, PDF, overview,
sending, continuing) and the staff's view of two exports that diverged; the judge's
half-way work they show is made through ``JudgingSession``, as the app saves it."""

from __future__ import annotations

import time
from typing import Any

from shooting import COMPENDIUM_NOTE, JUDGE_SHOTS, JUDGE_SLUG, ROOT
from staff_shots import StaffShooter


class PassShooter(StaffShooter):
    """One whole pass: the staff's shots, then the judge's."""

    # judge ----------------------------------------------------------------------------------

    def judge(self) -> None:
        if not any(self.wanted(self.variant(n)) for n in JUDGE_SHOTS):
            return
        from judgepanel.formats.identity_file import read_identity_file

        identity = read_identity_file(self.demo / "keys" / f"{JUDGE_SLUG}.identity")
        window = self.new_window("judge")
        if self.wanted(self.variant("judge-0-identity")):
            self.identity_shot(window, identity)
        flow = window.judge
        flow.open_with(str(self.demo / "bundles" / f"{JUDGE_SLUG}.jpbundle"), identity)
        self.wait(lambda: flow.page is not None or bool(flow.last_error), least=0.5)
        if flow.page is None:
            raise SystemExit(f"The judge bundle did not open: {flow.last_error}")
        page = flow.page
        if self.wanted(self.variant("judge-1-info")):
            self.shot(window, self.variant("judge-1-info"))  # a fresh workspace: facts first
        flow.show_judging()
        judged = self.judge_work(page.session)
        page.model.set_progress(page.session.progress())
        first_undeclared = next(p.application_id for p in page.session.progress()
                                if not p.declared)
        with_pdf = next(a for a in judged
                        if any(n.lower().endswith(".pdf")
                               for n in page.session.attachment_names(a)))
        if self.wanted(self.variant("judge-2-declarations")):
            page.go_to(first_undeclared, None)  # the declarations, at the next one to do
            self.shot(window, self.variant("judge-2-declarations"))
        if self.wanted(self.variant("judge-3-score")):
            halfway = next(p.application_id for p in page.session.progress()
                           if p.declared and not p.conflict and 0 < p.scored < p.criteria)
            self.score_view(page, halfway)
            window.activateWindow()
            page.panel.focus_first_unscored()  # where a judge starts: the row marked
            self.shot(window, self.variant("judge-3-score"))
        if self.wanted(self.variant("judge-4-pdf")):
            self.pdf_view(page, with_pdf)
            self.shot(window, self.variant("judge-4-pdf"))
        if self.wanted(self.variant("judge-5-overview")):
            page.tabs.setCurrentWidget(page.overview)
            self.shot(window, self.variant("judge-5-overview"))
        if self.wanted(self.variant("judge-6-submit")):
            page.tabs.setCurrentWidget(page.submit)
            self.shot(window, self.variant("judge-6-submit"))
        if self.wanted(self.variant("judge-7-continue")):
            self.continue_shot(window, page, identity)
        self.close_judge(window)
        if self.wanted(self.variant("staff-diverged")):
            self.diverged_shot()

    def dialog_shot(self, window: Any, dialog: Any, name: str) -> None:
        """A dialog over the window, as the judge sees it: the whole screen is grabbed."""
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        self.wait(least=0.5)
        frame = window.frameGeometry()
        dialog.move(frame.center() - dialog.rect().center())
        self.wait(least=0.3)
        pixmap = window.screen().grabWindow(0, 0, 0, *self.size)
        path = self.out / f"{name}.png"
        if not pixmap.save(str(path), "PNG"):
            raise SystemExit(f"Could not write {path}.")
        self.written.append(path)
        print("wrote", path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
        dialog.close()
        self.wait(least=0.1)

    def identity_shot(self, window: Any, identity: Any) -> None:
        from keyring.backends import fail

        from judgepanel.formats.keystore import IdentityStore
        from judgepanel.ui.judge.my_identity import MyIdentityDialog

        store = IdentityStore(self.work / f"ids-{self.variant('x')}", backend=fail.Keyring(),
                              work_factor=10)
        store.save(identity, passphrase="screenshots only")
        dialog = MyIdentityDialog(store, window.judge.runner, window)
        dialog.card_panel.status.setText(dialog.tr(
            "Your card was saved as /home/amara/Documents/amara-okafor-card.jpcard. Attach "
            "this file to an e-mail to the program staff."))
        self.dialog_shot(window, dialog, self.variant("judge-0-identity"))

    def pdf_view(self, page: Any, app_id: str) -> None:
        self.score_view(page, app_id)
        view = page.app_view
        name = next(n for n in page.session.attachment_names(app_id)
                    if n.lower().endswith(".pdf"))
        view.open_attachment(name)
        self.wait(lambda: not view.is_loading(), least=0.8)
        pdf = view.pdf
        if pdf is not None and pdf.search is not None:
            pdf.search.setText("the")
            deadline = time.monotonic() + 10
            while pdf.match_count() < 3 and time.monotonic() < deadline:
                self.wait(least=0.2)
            pdf.find_next()
            pdf.find_next()

    def continue_shot(self, window: Any, page: Any, identity: Any) -> None:
        from judgepanel.model.judge.restore import read_own_results
        from judgepanel.ui.judge.sheet_dialog import continue_preview

        own = read_own_results(self.demo / "results" / f"{JUDGE_SLUG}.jpresults", identity)
        dialog = continue_preview(own, page.session.differences_from(own), True, window)
        self.dialog_shot(window, dialog, self.variant("judge-7-continue"))

    def diverged_shot(self) -> None:
        """The staff's side: a judge's second computer sent an export made separately."""
        from judgepanel.formats.identity_file import read_identity_file
        from judgepanel.model.demo.build import simulate_judge
        from judgepanel.model.demo.content import JUDGES
        from judgepanel.ui.staff.diverged_dialog import DivergedDialog

        judge = next(j for j in JUDGES if j.slug == JUDGE_SLUG)
        laptop, _ = simulate_judge(
            self.demo / "bundles" / f"{judge.slug}.jpbundle",
            read_identity_file(self.demo / "keys" / f"{judge.slug}.identity"), judge,
            workspace_path=self.work / f"laptop-{self.variant('x')}.sqlite",
            out=self.work / f"laptop-{self.variant('x')}.jpresults", quality={}, seed=7)
        window = self.new_window("staff-diverged")
        page = self.open_program(window, self.demo / "program")
        inbox = page.show_screen("results")
        inbox.merge([laptop])
        self.wait(self.staff_settled(window), least=0.8)
        rows = inbox.diverged_model.rows
        if not rows:
            raise SystemExit("The second computer's export was not held as diverged.")
        dialog = DivergedDialog(rows[0], window)
        dialog.resize(min(900, self.size[0] - 60), min(560, self.size[1] - 80))
        dialog.note.setText("Amara confirmed by phone: the laptop's export is final.")
        self.dialog_shot(window, dialog, self.variant("staff-diverged"))
        self.close(window)

    def score_view(self, page: Any, app_id: str) -> None:
        page.go_to(app_id, None)  # read and score, at its first criterion
        self.wait(least=0.3)

    @staticmethod
    def judge_work(session: Any) -> list[str]:
        """A judge half-way through: most declared, one conflict, several fully scored.

        Returns the applications scored in full (the first one is shown in the score shot).
        Everything goes through ``JudgingSession``, so it is saved as the app would save it.
        """
        import random

        from judgepanel.model.demo.content import applicant_feedback, review_comment

        rng = random.Random(2026)
        words = random.Random(18)  # feedback for the applicant: its own draws (issue #18)
        apps = [a.id for a in session.applications]
        declared = apps[: max(len(apps) - 7, 3)]
        conflict = declared[3]
        full = [a for a in declared[:9] if a != conflict]
        for app_id in declared:
            if app_id == conflict:
                session.declare(app_id, True, "I advised this city's human rights "
                                "commission on this initiative last year.")
            else:
                session.declare(app_id, False)
        for number, app_id in enumerate(declared):
            if app_id == conflict:
                continue
            criteria = session.rubric.criteria
            if app_id not in full:  # begun, not finished: the first two criteria only
                criteria = criteria[:2]
            merit = rng.uniform(0.35, 0.9)
            for criterion in criteria:
                span = criterion.max - criterion.min
                steps = round(span / criterion.step)
                value = criterion.min + round(
                    min(1.0, max(0.0, merit + rng.gauss(0, 0.15))) * steps) * criterion.step
                if not criterion.counts:
                    value = criterion.max if merit > 0.7 else criterion.min
                session.set_score(app_id, criterion.key, value)
                if not criterion.counts:  # advice (the compendium): say why when asked
                    if criterion.comment.requires_comment(value):
                        session.set_comment(app_id, criterion.key, COMPENDIUM_NOTE)
                elif criterion.comment.requires_comment(value) or rng.random() < 0.6:
                    session.set_comment(app_id, criterion.key,
                                        review_comment(rng, (value - criterion.min) / span * 100))
                if criterion.counts:
                    session.set_feedback(app_id, criterion.key, applicant_feedback(
                        words, (value - criterion.min) / span * 100))
            if app_id in full:
                session.set_overall_comment(app_id, review_comment(rng, merit * 100))
                session.set_overall_feedback(app_id, applicant_feedback(words, merit * 100))
                session.set_confidence(app_id, rng.choice((3, 4, 4, 5)))
            if number == 1:
                session.set_private_note(app_id, "Ask the others about the data source.")
        return full

