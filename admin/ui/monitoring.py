"""The monitoring workspace (低收入人口动态监测): the region's warnings with their follow-up,
door-to-door visits (走访摸排) and the latest visits, for village coordinators and township
and county staff.

Each form makes one call to the same service as the API; nothing here writes itself. A
form filled in wrongly comes back on the page, open, with what was typed and each problem
named (422).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from admin.extensions import runtime
from admin.reads import record_reads
from admin.ui.access import WORKERS, Restricted, current_actor, shows_domain_errors
from admin.ui.case_forms import form_problems
from admin.ui.i18n import error_text, problem_text
from admin.ui.paging import page_arg, page_count
from engine.clock import local_date
from engine.errors import Forbidden, InvalidData
from engine.models import RegionLevel
from engine.monitoring_reads import STATUSES, list_warnings, recent_visits
from engine.queries import region_names
from engine.services.visits import record_outreach_visit
from engine.services.warning_follow_up import (
    VisitInput,
    close_warning,
    follow_up_by_visit,
    refer_warning,
)

PAGE_SIZE = 50


def _photos(text: str | None) -> list[str]:
    """The photos' SHA-256, one per line (blank lines ignored)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class VisitForm(FlaskForm):  # type: ignore[misc]
    """A home visit: the day, what was found, the photos' SHA-256 (one per line)."""

    visited_on = DateField(validators=[DataRequired()])
    findings = TextAreaField(validators=[DataRequired(), Length(max=4000)])
    # 20 hashes, one per line (a browser ends lines with CR LF)
    photos = TextAreaField(validators=[Optional(), Length(max=20 * 66)])


class OutreachForm(VisitForm):
    """A door-to-door visit in a village."""

    village_code = StringField(validators=[DataRequired(), Length(min=12, max=12)])
    household = StringField(validators=[DataRequired(), Length(max=100)])


class ReferForm(FlaskForm):  # type: ignore[misc]
    """A referral to an application for the household."""

    note = TextAreaField(validators=[DataRequired(), Length(max=2000)])
    category = StringField(validators=[AnyOf(["dibao", "single_person", "tekun"])])


class CloseForm(FlaskForm):  # type: ignore[misc]
    """Why the warning needs nothing more."""

    reason = TextAreaField(validators=[DataRequired(), Length(max=2000)])


class MonitoringView(Restricted, BaseView):  # type: ignore[misc]
    """The region's monitoring warnings, soonest due first, with their follow-up."""

    roles = WORKERS

    def _page(
        self, status: str = "open", failed: str = "", typed: Mapping[str, Any] | None = None
    ) -> str:
        page = page_arg()
        actor = current_actor()
        rt = runtime()
        today = local_date(rt.clock.now(), rt.clock.tz)
        with rt.reader() as uow:
            rows, total = list_warnings(uow.session, actor, today, status, page, PAGE_SIZE)
            visits = recent_visits(uow.session, actor)
            villages = region_names(uow.session, actor.region_code, RegionLevel.VILLAGE)
        record_reads(actor, "list_warnings", "ui", [r.case_id for r in rows])
        return self.render(
            "ui/monitoring.html",
            rows=rows,
            total=total,
            page=page,
            pages=page_count(total, PAGE_SIZE),
            status=status,
            statuses=STATUSES,
            today=today,
            villages=villages,
            visits=visits,
            failed=failed,
            typed=typed or {},
            visit_form=VisitForm(),
            outreach_form=OutreachForm(),
            refer_form=ReferForm(),
            close_form=CloseForm(),
        )

    def _submitted(self, key: str, form: FlaskForm, call: Callable[[], str]) -> Any:
        """Validate ``form`` and make the service ``call``; a problem comes back on the page
        with the form open and what was typed kept."""
        try:
            if not form.validate_on_submit():
                raise form_problems(form.errors)
            message = call()
        except (InvalidData, Forbidden) as err:
            # one problem: itself; several: the summary, then each
            flash(
                problem_text(err.problems[0]) if len(err.problems) == 1 else error_text(err),
                "error",
            )
            if len(err.problems) > 1:
                for problem in err.problems:
                    flash(problem_text(problem), "error")
            return self._page(failed=key, typed=request.form), 422
        flash(message, "success")
        return redirect(url_for(".index"))

    @expose("/")
    @shows_domain_errors
    def index(self) -> str:
        """The warnings of a status (open by default), a page at a time, and the visits."""
        status = request.args.get("status", "open")
        return self._page(status if status in STATUSES else "open")

    @expose("/visits", methods=["POST"])
    @shows_domain_errors
    def outreach(self) -> Any:
        """Record a door-to-door visit."""
        form = OutreachForm()

        def call() -> str:
            record_outreach_visit(
                runtime().uow(),
                current_actor(),
                (form.village_code.data or "").strip(),
                form.visited_on.data,
                form.household.data or "",
                form.findings.data or "",
                _photos(form.photos.data),
            )
            return gettext("The visit is recorded.")

        return self._submitted("outreach", form, call)

    @expose("/<int:warning_id>/visit", methods=["POST"])
    @shows_domain_errors
    def visit(self, warning_id: int) -> Any:
        """Follow a warning up by a home visit."""
        form = VisitForm()

        def call() -> str:
            follow_up_by_visit(
                runtime().uow(),
                current_actor(),
                warning_id,
                VisitInput(
                    form.visited_on.data,
                    form.findings.data or "",
                    photo_sha256=_photos(form.photos.data),
                ),
            )
            return gettext("The warning is followed up by the visit.")

        return self._submitted(f"visit-{warning_id}", form, call)

    @expose("/<int:warning_id>/refer", methods=["POST"])
    @shows_domain_errors
    def refer(self, warning_id: int) -> Any:
        """Refer the household to an application: its draft opens."""
        form = ReferForm()
        opened: list[int] = []

        def call() -> str:
            ref = refer_warning(
                runtime().uow(),
                current_actor(),
                warning_id,
                form.note.data or "",
                form.category.data or "dibao",
            )
            opened.append(ref.id)
            return gettext("A draft application is opened for the household.")

        answer = self._submitted(f"refer-{warning_id}", form, call)
        if opened:
            return redirect(url_for("case.details", case_id=opened[0]))
        return answer

    @expose("/<int:warning_id>/close", methods=["POST"])
    @shows_domain_errors
    def close(self, warning_id: int) -> Any:
        """Close a warning with a reason."""
        form = CloseForm()

        def call() -> str:
            close_warning(runtime().uow(), current_actor(), warning_id, form.reason.data or "")
            return gettext("The warning is closed.")

        return self._submitted(f"close-{warning_id}", form, call)
