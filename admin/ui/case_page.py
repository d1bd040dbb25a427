"""The case page: household, money, deadlines, flags, trail, and the buttons the user may press.

Every button and form here is a POST with its CSRF token that calls the same
service as the API; nothing on this page writes to the database itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from admin.documents.issue import issue_dossier, issue_letter
from admin.documents.web import pdf_response
from admin.extensions import runtime
from admin.files import attachment_response
from admin.reads import (
    FilingRow,
    case_filings,
    case_trail,
    next_step,
    read_attachment,
    read_case,
    search,
    staff_names,
)
from admin.ui.access import READERS, STAFF, Restricted, current_actor, shows_domain_errors
from admin.ui.case_forms import (
    CaseRecordViews,
    CrosscheckForm,
    check_yuan,
    form_problems,
    record_forms,
)
from admin.ui.diagram import DiagramUnavailable, lifecycle_svg
from admin.ui.i18n import (
    engine_label,
    error_text,
    is_english,
    problem_text,
    role_label,
    state_label,
    trigger_label,
    value_label,
)
from admin.ui.paging import PAGE_SIZE, page_arg, page_count, whole_number
from audit.chain import StoredEntry
from audit.issued import display_code, issued_for_case
from audit.letters import LETTER_TRIGGERS
from engine import services
from engine.access import covers
from engine.attachments import MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS, Upload
from engine.case_view import CaseDetail
from engine.clock import local_date
from engine.db import DB_INT_MAX
from engine.deadlines import EXTENSION_GROUNDS
from engine.errors import InvalidData, Problem
from engine.models import (
    DisabilityType,
    IncomeType,
    InvestigationLevel,
    InvestigationMethod,
    KinRelation,
    Relation,
    User,
)
from engine.privacy import PERSONAL_DATA_ROLES
from engine.rules import TEKUN_TERMINATION_GROUNDS
from engine.search import MAX_TERM, MIN_TAIL, SearchPage
from engine.services.crosschecks import RESOLVERS as CROSSCHECK_RESOLVERS
from engine.services.data_checks import (
    DATA_SOURCES,
    REQUEST_ROLES,
    REQUEST_STATES,
    is_county_staff,
)
from engine.services.filings import file_kinship
from engine.services.findings import record_finding
from engine.services.handoff import hand_off_to_dibao
from engine.services.household_events import CHANGE_KINDS, SERVICE_METHODS
from engine.services.household_members import DEPARTURE_REASONS, JOIN_REASONS
from engine.services.objections import REVIEW_OUTCOMES
from engine.services.self_care import (
    INDICATORS,
    record_self_care_assessment,
    report_care_change,
)
from engine.services.work_offers import OUTCOMES, WorkOfferInput, record_work_offer
from engine.states import (
    DESTRUCTIVE,
    FINAL_STATES,
    FORWARD,
    RULES,
    STATE_LABELS,
    TRANSITIONS,
    CaseState,
    Role,
)

MAX_TEXT = 2000
#: guard failures the page's own form fields answer (a ground, the member sanctioned)
FORM_SUPPLIED = frozenset(
    {"extension_ground_missing", "termination_ground_missing", "member_missing"}
)
#: the ``data`` each trigger takes from its form's fields (the rest take none)
TRIGGER_DATA: dict[str, tuple[str, ...]] = {
    "extend_deadline": ("ground",),
    "propose_termination": ("ground",),
    "sanction_work_refusal": ("member",),
    "lift_work_refusal_sanction": ("member",),
    "adjust": ("recovery_yuan", "finding"),
    "terminate": ("recovery_yuan", "finding"),
}


#: how the buttons are ordered: the main step forward, the alternatives, then those that end,
#: refuse or send back the case (each asked to be confirmed)
ACTION_ORDER = ("primary", "secondary", "destructive")
ROLE_NAMES = frozenset(r.value for r in Role)


@dataclass(frozen=True)
class Action:
    """A trigger button: blocked while any guard the page cannot answer fails."""

    trigger: str
    reason_required: bool
    problems: list[Problem]
    #: "primary" (the state's main step forward), "secondary" or "destructive"
    kind: str = "secondary"

    @property
    def allowed(self) -> bool:
        """Whether pressing it should succeed."""
        return not self.problems

    @property
    def confirm(self) -> bool:
        """Whether the button asks for a confirmation before it fires."""
        return self.kind == "destructive"

    @property
    def ends_case(self) -> bool:
        """Whether the trigger closes the case for good."""
        return RULES[self.trigger].dest in FINAL_STATES


def action_kind(state: CaseState, trigger: str) -> str:
    """How the case page presents a trigger: the main step forward, a destructive one or
    another."""
    if trigger in DESTRUCTIVE:
        return "destructive"
    return "primary" if FORWARD.get(state) == trigger else "secondary"


def actions_of(detail: CaseDetail) -> list[Action]:
    """The case's triggers for this user, as buttons: the main step forward first."""
    state = CaseState(detail.summary.state)
    actions = [
        Action(
            t.trigger,
            t.reason_required,
            [p for p in t.problems if p.code not in FORM_SUPPLIED],
            action_kind(state, t.trigger),
        )
        for t in detail.triggers
    ]
    return sorted(actions, key=lambda a: ACTION_ORDER.index(a.kind))


def named_on_page(
    detail: CaseDetail,
    entries: list[StoredEntry],
    filings: list[FilingRow],
    issued: list[IssuedRow],
) -> set[str]:
    """The user names of every officer the case page names."""
    names = {e.body.actor for e in entries}
    for i in detail.investigations:
        names.update(i.investigators)
        names.add(i.recorded_by)
    names.update(o.recorded_by for o in detail.objections)
    names.update(f.recorded_by for f in detail.findings)
    for c in detail.data_checks:
        names.update(n for n in (c.requested_by, c.started_by, c.completed_by) if n)
    names.update(f.filed_by for f in filings)
    names.update(d.issued_by for d in issued)
    return names


class TransitionForm(FlaskForm):  # type: ignore[misc]
    """One trigger with its reason (and a ground where the trigger needs one)."""

    trigger = HiddenField(validators=[DataRequired()])
    reason = TextAreaField(validators=[Optional(), Length(max=MAX_TEXT)])
    expected_version = IntegerField(validators=[DataRequired()])
    ground = StringField(
        validators=[Optional(), AnyOf([*EXTENSION_GROUNDS, *TEKUN_TERMINATION_GROUNDS])]
    )
    member = StringField(validators=[Optional(), Length(max=18)])
    recovery_yuan = StringField(validators=[Optional(), check_yuan])
    finding = TextAreaField(validators=[Optional(), Length(max=MAX_TEXT)])
    #: a destructive trigger's name, ticked on its form to confirm it
    confirm = StringField(validators=[Optional(), Length(max=40)])

    def validate(self, extra_validators: Any = None) -> bool:
        """The fields, and: money is ordered back only with what was found concealed."""
        valid = bool(super().validate(extra_validators))
        if bool((self.finding.data or "").strip()) != bool((self.recovery_yuan.data or "").strip()):
            self.finding.errors = [
                *self.finding.errors,
                gettext("Give both the amount to pay back and what was concealed, or neither."),
            ]
            return False
        return valid

    def trigger_data(self) -> dict[str, Any]:
        """The trigger's ``data`` from the fields it takes."""
        fields = TRIGGER_DATA.get(self.trigger.data, ())
        values = {name: (self[name].data or "").strip() for name in fields}
        if values.get("recovery_yuan"):
            values["recovery_yuan"] = values["recovery_yuan"].replace(",", "")
        return {name: value for name, value in values.items() if value}


class InvestigationForm(FlaskForm):  # type: ignore[misc]
    """An investigation as the recording officer enters it: who was present of the household,
    and the photos or scans taken (the files are read apart, see ``received_files``)."""

    date = DateField(validators=[DataRequired()])
    method = StringField(validators=[AnyOf([m.value for m in InvestigationMethod])])
    level = StringField(validators=[AnyOf([v.value for v in InvestigationLevel])])
    investigators = SelectMultipleField(choices=[], validate_choice=False)
    findings = TextAreaField(validators=[DataRequired(), Length(max=MAX_TEXT)])
    present = SelectMultipleField(choices=[], validate_choice=False, coerce=int)
    expected_version = IntegerField(validators=[Optional()])


def received_files(name: str) -> list[Upload]:
    """The files sent in a form's file field (none chosen: none). Each is read no further than
    one byte past the largest size allowed: that is enough for the engine to refuse it."""
    files = [f for f in request.files.getlist(name) if f.filename]
    return [Upload(f.filename or "", f.stream.read(MAX_ATTACHMENT_BYTES + 1)) for f in files]


class ObjectionForm(FlaskForm):  # type: ignore[misc]
    """An objection raised during the public notice."""

    objector = StringField(validators=[DataRequired(), Length(max=100)])
    content = TextAreaField(validators=[DataRequired(), Length(max=MAX_TEXT)])


class FilingForm(FlaskForm):  # type: ignore[misc]
    """The separate filing (备案) of a kinship-flagged case."""

    note = TextAreaField(validators=[DataRequired(), Length(max=MAX_TEXT)])
    expected_version = IntegerField(validators=[DataRequired()])


class DataCheckRequestForm(FlaskForm):  # type: ignore[misc]
    """The township's request for an information check (Art. 17)."""

    sources = SelectMultipleField(choices=[], validate_choice=False)
    note = TextAreaField(validators=[Optional(), Length(max=MAX_TEXT)])
    expected_version = IntegerField(validators=[DataRequired()])


class DataCheckResultForm(FlaskForm):  # type: ignore[misc]
    """The county's start of a check, or its result."""

    discrepancy = BooleanField()
    findings = TextAreaField(validators=[Optional(), Length(max=MAX_TEXT)])
    expected_version = IntegerField(validators=[DataRequired()])


class WorkOfferForm(FlaskForm):  # type: ignore[misc]
    """Suitable work offered to a member able to work, and the answer (Art. 34)."""

    member_id_number = StringField(validators=[DataRequired(), Length(max=18)])
    offered_on = DateField(validators=[DataRequired()])
    offer = TextAreaField(validators=[DataRequired(), Length(max=MAX_TEXT)])
    outcome = StringField(validators=[AnyOf(list(OUTCOMES))])
    note = TextAreaField(validators=[Optional(), Length(max=MAX_TEXT)])
    expected_version = IntegerField(validators=[DataRequired()])


class SelfCareForm(FlaskForm):  # type: ignore[misc]
    """The county's self-care assessment of one tekun person (TK Arts. 20-21)."""

    member_id_number = StringField(validators=[DataRequired(), Length(max=18)])
    assessed_on = DateField(validators=[DataRequired()])
    failed = SelectMultipleField(choices=[], validate_choice=False)
    note = TextAreaField(validators=[Optional(), Length(max=MAX_TEXT)])
    expected_version = IntegerField(validators=[DataRequired()])


class CareChangeForm(FlaskForm):  # type: ignore[misc]
    """A reported change in a tekun person's self-care (TK Art. 22)."""

    note = TextAreaField(validators=[DataRequired(), Length(max=MAX_TEXT)])
    expected_version = IntegerField(validators=[DataRequired()])


class FindingForm(FlaskForm):  # type: ignore[misc]
    """An inspector's finding; optionally holding the next decision for the county's visit."""

    note = TextAreaField(validators=[DataRequired(), Length(max=MAX_TEXT)])
    requires_visit = BooleanField()
    expected_version = IntegerField(validators=[DataRequired()])


class HandOffForm(FlaskForm):  # type: ignore[misc]
    """Why the household of a terminated tekun case is referred to dibao (TK Art. 27)."""

    note = TextAreaField(validators=[DataRequired(), Length(max=MAX_TEXT)])


def _form_problems(form: FlaskForm) -> InvalidData:
    """A form that failed validation, as the engine words invalid data."""
    return form_problems(form.errors)


def _staff_in_reach(village_code: str) -> list[tuple[str, str]]:
    """Staff whose region covers the village: who may be named as investigators."""
    with runtime().reader() as uow:
        users = uow.session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_([r.value for r in STAFF]))
            .order_by(User.role, User.username)
        ).all()
        return [
            (u.username, f"{u.display_name or u.username} ({u.username})")
            for u in users
            if covers(u.region_code, village_code)
        ]


def letters_available(entries: list[StoredEntry]) -> list[str]:
    """The decision letters the case's trail has a decision for."""
    triggers = {e.body.trigger for e in entries}
    return [kind for kind, fired in LETTER_TRIGGERS.items() if triggers & set(fired)]


@dataclass(frozen=True)
class IssuedRow:
    """A document issued for the case, as the page lists it."""

    code: str
    display_code: str
    kind: str
    issued_at: dt.datetime
    issued_by: str


def issued_documents(case_id: int) -> list[IssuedRow]:
    """The documents issued for the case, newest first."""
    with runtime().reader() as uow:
        rows = issued_for_case(uow.session, case_id)
    return [IssuedRow(r.code, display_code(r.code), r.kind, r.issued_at, r.issued_by) for r in rows]


def diagram() -> str | None:
    """The lifecycle diagram in the request's language (None when Graphviz is missing)."""
    names = tuple((s.value, state_label(s.value)) for s in CaseState)
    triggers = tuple((r.trigger, trigger_label(r.trigger)) for r in TRANSITIONS)
    try:
        return lifecycle_svg(names, triggers, gettext("any state before the decision"))
    except DiagramUnavailable:
        return None


class CaseView(Restricted, CaseRecordViews, BaseView):  # type: ignore[misc]
    """One case, with what the signed-in user may do on it now."""

    roles = READERS

    def is_visible(self) -> bool:
        """Reached from the queue and lists, not from the menu."""
        return False

    @expose("/")
    def index(self) -> Response | tuple[str, int]:
        """The lookup box: a case number opens the case; an ID number, its tail, a name or a
        village lists the cases found (the same search as the API's)."""
        # ``id``: the box's name before it searched, kept for links made then
        q = (request.args.get("q") or request.args.get("id") or "").strip()
        number = whole_number(q.removeprefix("#"), DB_INT_MAX)
        if number is not None and (q.startswith("#") or len(q) < MIN_TAIL):
            return redirect(url_for(".details", case_id=number))
        page = page_arg()
        try:
            found = search(current_actor(), q, "ui", page, PAGE_SIZE)
        except InvalidData as err:
            message = " ".join(problem_text(p) for p in err.problems) or error_text(err)
            return self._search_page(q, message=message), 422
        if number is not None and not found.total:
            return redirect(url_for(".details", case_id=number))
        return self._search_page(q, found=found, case_number=number), 200

    def _search_page(
        self,
        q: str,
        *,
        found: SearchPage | None = None,
        message: str = "",
        case_number: int | None = None,
    ) -> str:
        return cast(
            str,
            self.render(
                "ui/search.html",
                q=q,
                found=found,
                pages=page_count(found.total, PAGE_SIZE) if found else 1,
                message=message,
                case_number=case_number,
                min_tail=MIN_TAIL,
                max_term=MAX_TERM,
            ),
        )

    @expose("/<int:case_id>")
    @shows_domain_errors
    def details(self, case_id: int) -> str:
        """Everything the user may see of the case, and the buttons they may press."""
        return self.page(case_id)

    def page(self, case_id: int, **extra: Any) -> str:
        """The case page (``extra``: a refused form's name, its field errors and input)."""
        actor = current_actor()
        detail = read_case(actor, case_id, "ui")
        entries, chain_break = case_trail(actor, case_id)
        rt = runtime()
        staff = actor.role in STAFF
        printable = actor.role in PERSONAL_DATA_ROLES
        filings = case_filings(actor, case_id)
        issued = issued_documents(case_id) if printable else []
        named = staff_names(named_on_page(detail, entries, filings, issued))

        def officer(username: str, role: str | None = None) -> str:
            """An officer by display name and role (the role at the time, when given)."""
            found = named.get(username)
            if found is None:
                return username
            role = role or found.role
            if role not in ROLE_NAMES:
                return found.name
            return gettext("%(name)s (%(role)s)", name=found.name, role=role_label(role))

        step = detail.next_step
        return self.render(
            "ui/case.html",
            case=detail,
            printable=printable,
            letters=letters_available(entries) if printable else [],
            issued=issued,
            actions=actions_of(detail),
            officer=officer,
            # versions, hashes and user names are for inspectors, not for the daily work
            technical=actor.role == Role.INSPECTOR,
            next_step=step,
            next_step_text=step.in_language("en" if is_english() else "zh") if step else "",
            my_turn=step is not None and step.role == actor.role,
            entries=entries,
            chain_break=chain_break,
            diagram=diagram(),
            tz=rt.clock.tz,
            today=local_date(rt.clock.now(), rt.clock.tz),
            staff=staff,
            english=is_english(),
            transition_form=TransitionForm(),
            investigation_form=InvestigationForm(),
            objection_form=ObjectionForm(),
            filing_form=FilingForm(),
            check_request_form=DataCheckRequestForm(),
            work_offer_form=WorkOfferForm(),
            self_care_form=SelfCareForm(),
            care_change_form=CareChangeForm(),
            hand_off_form=HandOffForm(),
            finding_form=FindingForm(),
            role=str(actor.role),
            may_hand_off=actor.role == Role.CLERK
            and detail.summary.category == "tekun"
            and detail.summary.state == "terminated",
            indicators=INDICATORS,
            work_outcomes=OUTCOMES,
            able_members=[m for m in detail.members if m.able_to_work],
            check_result_form=DataCheckResultForm(),
            data_sources=list(DATA_SOURCES),
            open_check=next((c for c in detail.data_checks if c.completed_at is None), None),
            may_request_check=staff
            and actor.role in REQUEST_ROLES
            and detail.summary.state in REQUEST_STATES,
            county_staff=is_county_staff(actor, detail.summary.village_code),
            investigators=_staff_in_reach(detail.summary.village_code) if staff else [],
            max_attachments=MAX_ATTACHMENTS,
            max_attachment_mib=MAX_ATTACHMENT_BYTES // (1024 * 1024),
            methods=list(InvestigationMethod),
            levels=list(InvestigationLevel),
            grounds=EXTENSION_GROUNDS,
            kinship_flags=[f for f in detail.flags if f.get("kind") == "kinship"],
            crosscheck_flags=[f for f in detail.flags if f.get("kind") == "crosscheck"],
            may_resolve_crosschecks=actor.role in CROSSCHECK_RESOLVERS,
            crosscheck_form=CrosscheckForm(),
            filings=filings,
            overdue_flags=[f for f in detail.flags if f.get("kind") == "overdue"],
            state_labels=STATE_LABELS,
            engine_label=engine_label,
            forms=record_forms(actor, detail),
            termination_grounds=TEKUN_TERMINATION_GROUNDS,
            join_reasons=JOIN_REASONS,
            departure_reasons=DEPARTURE_REASONS,
            service_methods=SERVICE_METHODS,
            change_kinds=CHANGE_KINDS,
            review_outcomes=list(REVIEW_OUTCOMES),
            kin_relations=[r.value for r in KinRelation],
            new_relations=[r.value for r in Relation if r != Relation.SELF],
            other_income_types=[t.value for t in IncomeType if t != IncomeType.WAGES],
            disability_types=[t.value for t in DisabilityType],
            failed=extra.get("failed"),
            field_errors=extra.get("field_errors", {}),
            typed=extra.get("typed", {}),
        )

    @expose("/<int:case_id>/letters/<kind>.pdf")
    @shows_domain_errors
    def letter(self, case_id: int, kind: str) -> Response:
        """Print a decision letter of the case (recorded with its verification code)."""
        return pdf_response(issue_letter(runtime(), current_actor(), case_id, kind, channel="ui"))

    @expose("/<int:case_id>/dossier.pdf")
    @shows_domain_errors
    def dossier(self, case_id: int) -> Response:
        """Print the case's whole file with its audit trail (the read is logged)."""
        return pdf_response(issue_dossier(runtime(), current_actor(), case_id, "ui"))

    @expose("/<int:case_id>/fire", methods=["POST"])
    @shows_domain_errors
    def fire(self, case_id: int) -> Response:
        """Fire one trigger through the service; a refusal lists each failed guard."""
        form = TransitionForm()
        if not form.validate_on_submit():
            raise _form_problems(form)
        trigger = form.trigger.data
        if trigger in DESTRUCTIVE and form.confirm.data != trigger:
            # the page's checkbox was not ticked (or the form was sent without it): nothing fires
            flash(
                gettext(
                    "Not done: tick the box to confirm “%(action)s” first. Nothing was recorded.",
                    action=trigger_label(trigger),
                ),
                "error",
            )
            return redirect(url_for(".details", case_id=case_id))
        actor = current_actor()
        ref = services.advance(
            runtime().uow(),
            case_id,
            trigger,
            actor,
            reason=(form.reason.data or "").strip(),
            data=form.trigger_data(),
            expected_version=form.expected_version.data,
        )
        step = next_step(actor, case_id)
        said = {
            "trigger": trigger_label(trigger),
            "state": state_label(ref.state),
            "step": step.in_language("en" if is_english() else "zh"),
        }
        flash(
            gettext("%(trigger)s: the case is now %(state)s. Next: %(step)s.", **said)
            if step.role is not None
            else gettext("%(trigger)s: the case is now %(state)s. %(step)s.", **said),
            "success",
        )
        if ref.state == CaseState.IN_PUBLIC_NOTICE:
            flash(gettext("Print the village's notice from the Documents box below."), "info")
        return redirect(url_for(".details", case_id=case_id))

    @expose("/<int:case_id>/investigations", methods=["POST"])
    @shows_domain_errors
    def investigate(self, case_id: int) -> Response | tuple[str, int]:
        """Record a household investigation (two investigators at least), who of the household
        was present, and the photos or scans taken; a refusal comes back at its field."""
        form = InvestigationForm()

        def call() -> str:
            rt = runtime()
            files = received_files("attachments")
            date: dt.date = form.date.data
            services.record_investigation(
                rt.uow(),
                current_actor(),
                case_id,
                services.InvestigationInput(
                    date=date,
                    method=form.method.data,
                    investigators=list(form.investigators.data or []),
                    findings=form.findings.data.strip(),
                    level=form.level.data,
                    present=list(form.present.data or []),
                    attachments=files,
                ),
                expected_version=form.expected_version.data,
                store=rt.attachments,
            )
            if not files:
                return gettext("The investigation is recorded.")
            return gettext("The investigation is recorded with %(n)s file(s).", n=len(files))

        return self.submitted(
            case_id, "investigation", form, call, field_of=lambda f: f.split(".")[0]
        )

    @expose("/<int:case_id>/attachments/<int:attachment_id>")
    @shows_domain_errors
    def attachment(self, case_id: int, attachment_id: int) -> Response:
        """A photo or scan attached to an investigation (the read is logged)."""
        return attachment_response(read_attachment(current_actor(), case_id, attachment_id, "ui"))

    @expose("/<int:case_id>/objections", methods=["POST"])
    @shows_domain_errors
    def object(self, case_id: int) -> Response:
        """Record an objection raised during the notice."""
        form = ObjectionForm()
        if not form.validate_on_submit():
            raise _form_problems(form)
        services.record_objection(
            runtime().uow(),
            current_actor(),
            case_id,
            form.objector.data.strip(),
            form.content.data.strip(),
        )
        flash(gettext("The objection is recorded."), "success")
        return redirect(url_for(".details", case_id=case_id))

    @expose("/<int:case_id>/filings", methods=["POST"])
    @shows_domain_errors
    def file(self, case_id: int) -> Response:
        """File a kinship-flagged case (备案)."""
        form = FilingForm()
        if not form.validate_on_submit():
            raise _form_problems(form)
        file_kinship(
            runtime().uow(),
            current_actor(),
            case_id,
            form.note.data.strip(),
            form.expected_version.data,
        )
        flash(gettext("The case is filed in the kinship register."), "success")
        return redirect(url_for(".details", case_id=case_id))

    @expose("/<int:case_id>/data-checks", methods=["POST"])
    @shows_domain_errors
    def request_check(self, case_id: int) -> Response:
        """Ask the county for an information check of the household's records (Art. 17)."""
        form = DataCheckRequestForm()
        if not form.validate_on_submit():
            raise _form_problems(form)
        services.request_data_check(
            runtime().uow(),
            current_actor(),
            case_id,
            list(form.sources.data or []),
            (form.note.data or "").strip(),
            form.expected_version.data,
        )
        flash(
            gettext("The county is asked for the check: it starts it within 3 working days."),
            "success",
        )
        return redirect(url_for(".details", case_id=case_id))

    @expose("/<int:case_id>/data-checks/<int:check_id>/start", methods=["POST"])
    @shows_domain_errors
    def start_check(self, case_id: int, check_id: int) -> Response:
        """Record that the county started the requested check."""
        form = DataCheckResultForm()
        if not form.validate_on_submit():
            raise _form_problems(form)
        services.start_data_check(
            runtime().uow(), current_actor(), case_id, check_id, form.expected_version.data
        )
        flash(gettext("The information check is started."), "success")
        return redirect(url_for(".details", case_id=case_id))

    @expose("/<int:case_id>/data-checks/<int:check_id>/result", methods=["POST"])
    @shows_domain_errors
    def check_result(self, case_id: int, check_id: int) -> Response:
        """Record the check's result: what the records show, and whether they contradict."""
        form = DataCheckResultForm()
        if not form.validate_on_submit():
            raise _form_problems(form)
        services.record_data_check_result(
            runtime().uow(),
            current_actor(),
            case_id,
            check_id,
            bool(form.discrepancy.data),
            form.findings.data or "",
            form.expected_version.data,
        )
        flash(gettext("The information check's result is recorded."), "success")
        return redirect(url_for(".details", case_id=case_id))

    @expose("/<int:case_id>/work-offers", methods=["POST"])
    @shows_domain_errors
    def work_offer(self, case_id: int) -> Response:
        """Record work offered to a member able to work, and the answer (Art. 34)."""
        form = WorkOfferForm()
        if not form.validate_on_submit():
            raise _form_problems(form)
        record_work_offer(
            runtime().uow(),
            current_actor(),
            case_id,
            WorkOfferInput(
                member_id_number=form.member_id_number.data.strip(),
                offered_on=form.offered_on.data,
                offer=form.offer.data.strip(),
                outcome=form.outcome.data,
                note=(form.note.data or "").strip(),
            ),
            form.expected_version.data,
        )
        flash(gettext("The work offer is recorded."), "success")
        return redirect(url_for(".details", case_id=case_id))

    @expose("/<int:case_id>/self-care", methods=["POST"])
    @shows_domain_errors
    def self_care(self, case_id: int) -> Response:
        """Record the county's self-care assessment of a tekun person."""
        form = SelfCareForm()
        if not form.validate_on_submit():
            raise _form_problems(form)
        ref = record_self_care_assessment(
            runtime().uow(),
            current_actor(),
            case_id,
            form.member_id_number.data.strip(),
            form.assessed_on.data,
            list(form.failed.data or []),
            (form.note.data or "").strip(),
            form.expected_version.data,
        )
        flash(
            gettext("Self-care assessed: %(result)s.", result=value_label("self_care", ref.result)),
            "success",
        )
        return redirect(url_for(".details", case_id=case_id))

    @expose("/<int:case_id>/findings", methods=["POST"])
    @shows_domain_errors
    def finding(self, case_id: int) -> Response:
        """Record an inspector's finding on the case."""
        form = FindingForm()
        if not form.validate_on_submit():
            raise _form_problems(form)
        record_finding(
            runtime().uow(),
            current_actor(),
            case_id,
            form.note.data.strip(),
            bool(form.requires_visit.data),
            form.expected_version.data,
        )
        flash(gettext("The finding is recorded in the case's trail."), "success")
        return redirect(url_for(".details", case_id=case_id))

    @expose("/<int:case_id>/hand-off", methods=["POST"])
    @shows_domain_errors
    def hand_off(self, case_id: int) -> Response:
        """Open a dibao application for the household of a terminated tekun case (TK Art. 27)."""
        form = HandOffForm()
        if not form.validate_on_submit():
            raise _form_problems(form)
        ref = hand_off_to_dibao(runtime().uow(), current_actor(), case_id, form.note.data.strip())
        flash(
            gettext(
                "A dibao application (case %(case)s) is drafted from this household: check it "
                "and submit it.",
                case=ref.id,
            ),
            "success",
        )
        return redirect(url_for(".details", case_id=ref.id))

    @expose("/<int:case_id>/care-changes", methods=["POST"])
    @shows_domain_errors
    def care_change(self, case_id: int) -> Response:
        """Report a change in a tekun person's self-care (reassessed within 10 working days)."""
        form = CareChangeForm()
        if not form.validate_on_submit():
            raise _form_problems(form)
        report_care_change(
            runtime().uow(),
            current_actor(),
            case_id,
            form.note.data.strip(),
            form.expected_version.data,
        )
        flash(
            gettext("The change is reported: the county reassesses within 10 working days."),
            "success",
        )
        return redirect(url_for(".details", case_id=case_id))
