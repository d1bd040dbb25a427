"""The monitoring workspace (低收入人口动态监测): the region's warnings with their follow-up,
and door-to-door visits (走访摸排), for village coordinators and township and county staff.

Each form makes one call to the same service as the API; nothing here writes itself.
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from admin.extensions import runtime
from admin.reads import record_reads
from admin.ui.access import WORKERS, Restricted, current_actor, shows_domain_errors
from admin.ui.case_forms import form_problems
from admin.ui.paging import page_arg, page_count
from engine.clock import local_date
from engine.monitoring_reads import STATUSES, list_warnings
from engine.services.monitoring import SIGNALS
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
    return [line.strip().lower() for line in (text or "").splitlines() if line.strip()]


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

    @expose("/")
    @shows_domain_errors
    def index(self) -> str:
        """The warnings of a status (open by default), a page at a time."""
        status = request.args.get("status", "open")
        if status not in STATUSES:
            status = "open"
        page = page_arg()
        actor = current_actor()
        rt = runtime()
        today = local_date(rt.clock.now(), rt.clock.tz)
        with rt.reader() as uow:
            rows, total = list_warnings(uow.session, actor, today, status, page, PAGE_SIZE)
        record_reads(actor, "list_warnings", "ui", [r.case_id for r in rows])
        return self.render(
            "ui/monitoring.html",
            rows=rows,
            total=total,
            page=page,
            pages=page_count(total, PAGE_SIZE),
            status=status,
            statuses=STATUSES,
            signals=SIGNALS,
            today=today,
            village=actor.region_code if len(actor.region_code) == 12 else "",
            visit_form=VisitForm(),
            outreach_form=OutreachForm(),
            refer_form=ReferForm(),
            close_form=CloseForm(),
        )

    @expose("/visits", methods=["POST"])
    @shows_domain_errors
    def outreach(self) -> Response:
        """Record a door-to-door visit."""
        form = OutreachForm()
        if not form.validate_on_submit():
            raise form_problems(form.errors)
        record_outreach_visit(
            runtime().uow(),
            current_actor(),
            form.village_code.data.strip(),
            form.visited_on.data,
            form.household.data,
            form.findings.data,
            _photos(form.photos.data),
        )
        flash(gettext("The visit is recorded."), "success")
        return redirect(url_for(".index"))

    @expose("/<int:warning_id>/visit", methods=["POST"])
    @shows_domain_errors
    def visit(self, warning_id: int) -> Response:
        """Follow a warning up by a home visit."""
        form = VisitForm()
        if not form.validate_on_submit():
            raise form_problems(form.errors)
        follow_up_by_visit(
            runtime().uow(),
            current_actor(),
            warning_id,
            VisitInput(
                form.visited_on.data, form.findings.data, photo_sha256=_photos(form.photos.data)
            ),
        )
        flash(gettext("The warning is followed up by the visit."), "success")
        return redirect(url_for(".index"))

    @expose("/<int:warning_id>/refer", methods=["POST"])
    @shows_domain_errors
    def refer(self, warning_id: int) -> Response:
        """Refer the household to an application: its draft opens."""
        form = ReferForm()
        if not form.validate_on_submit():
            raise form_problems(form.errors)
        ref = refer_warning(
            runtime().uow(), current_actor(), warning_id, form.note.data, form.category.data
        )
        flash(gettext("A draft application is opened for the household."), "success")
        return redirect(url_for("case.details", case_id=ref.id))

    @expose("/<int:warning_id>/close", methods=["POST"])
    @shows_domain_errors
    def close(self, warning_id: int) -> Response:
        """Close a warning with a reason."""
        form = CloseForm()
        if not form.validate_on_submit():
            raise form_problems(form.errors)
        close_warning(runtime().uow(), current_actor(), warning_id, form.reason.data)
        flash(gettext("The warning is closed."), "success")
        return redirect(url_for(".index"))
