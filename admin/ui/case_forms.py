"""The case page's forms for what is recorded beside the lifecycle's buttons.

Objections dismissed and democratic reviews (Art. 19), complaints while the
county confirms (Art. 20), repayments of a recovery (2022 notice §5(五)),
changes of means, members joining, leaving or dying, decisions served
(Art. 21, 38) and applicants' declarations of kinship. Each form posts to its
own view, which makes exactly one call to the same service as the API;
nothing here writes to the database itself.

A form the officer filled in wrongly comes back on the case page with each
problem in words beside its field and everything typed kept (422); a refusal
that is not about one field (a stale page, the wrong state) is flashed as on
every other form of the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import expose
from flask_babel import gettext, lazy_gettext
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response
from wtforms import (
    BooleanField,
    DateField,
    Field,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, Length, Optional, ValidationError

from admin.extensions import runtime
from admin.ui.access import current_actor, shows_domain_errors
from admin.ui.i18n import problem_text
from admin.ui.paging import whole_number
from audit.officials import declare_for_member
from engine import services
from engine.case_view import CaseDetail
from engine.db import DB_INT_MAX
from engine.errors import InvalidData, invalid_field
from engine.models import DisabilityType, IncomeType, KinRelation, Relation
from engine.ports import Actor
from engine.services.crosschecks import OUTCOMES as CROSSCHECK_OUTCOMES
from engine.services.crosschecks import resolve_crosscheck
from engine.services.household_events import (
    CHANGE_KINDS,
    CHANGE_STATES,
    DECIDED_STATES,
    SERVICE_METHODS,
)
from engine.services.household_members import DEPARTURE_REASONS, JOIN_REASONS
from engine.services.objections import COMPLAINT_ROLES, REVIEW_OUTCOMES
from engine.services.recoveries import RECOVERY_ROLES, record_repayment
from engine.states import FINAL_STATES, CaseState, Role

_l = lazy_gettext
MAX_TEXT = 2000
CHOOSE = _l("Choose one of the options.")
#: how a stored yes/no is changed: left as it is, or set
TRI_STATE = ("", "yes", "no")
#: the most rows the change-of-means table sends (a household is at most 30 people)
MAX_ROWS = 30

#: every field of the page's forms, named in words (a message says which field it is about)
FIELD_LABELS: dict[str, Any] = {
    "date": _l("Date"),
    "method": _l("Method"),
    "level": _l("Level"),
    "investigators": _l("Investigators"),
    "findings": _l("Findings"),
    "objector": _l("Who objects"),
    "content": _l("What they say"),
    "note": _l("Note"),
    "reason": _l("Reason"),
    "trigger": _l("Action"),
    "expected_version": _l("Version of the page"),
    "csrf_token": _l("Form token"),
    "ground": _l("Ground"),
    "member": _l("Member"),
    "recovery_yuan": _l("Amount to pay back (yuan)"),
    "finding": _l("What was concealed"),
    "resolution": _l("Why the objection is unfounded"),
    "held_on": _l("Held on"),
    "participants": _l("Participants"),
    "outcome": _l("Outcome"),
    "minutes": _l("Minutes"),
    "complainant": _l("Complainant"),
    "recovery_id": _l("Recovery order"),
    "amount_yuan": _l("Amount repaid (yuan)"),
    "paid_on": _l("Paid on"),
    "kind": _l("Kind of change"),
    "income_stable": _l("Income is regular"),
    "rigid_expenses_yuan": _l("Rigid expenses (yuan/month)"),
    "id_number": _l("ID number"),
    "name": _l("Name"),
    "relation": _l("Relation"),
    "wages": _l("Wages"),
    "other_type": _l("Income type"),
    "other_yuan": _l("Other income"),
    "disability_grade": _l("Disability grade"),
    "disability_type": _l("Disability type"),
    "joined_on": _l("Joined on"),
    "died_on": _l("Died on"),
    "left_on": _l("Left on"),
    "served_on": _l("Served on"),
    "official_id_number": _l("Official's ID number"),
    "member_id_number": _l("Member"),
    "offered_on": _l("Offered on"),
    "offer": _l("The job"),
    "assessed_on": _l("Assessed on"),
    "sources": _l("Records to check"),
    "discrepancy": _l("The records contradict the declaration"),
    "confirm": _l("Confirmation"),
    "present": _l("Members present"),
    "attachments": _l("Photos and scans"),
    "household": _l("Household"),
    "visited_on": _l("Visited on"),
    "photos": _l("Photos"),
    "photo_sha256": _l("Photos"),
    "village_code": _l("Village"),
    "category": _l("Category"),
}


def field_label(name: str) -> str:
    """A form field's name in words (``m-2-wages``: the third row's wages)."""
    if name.startswith("m-"):
        _, row, rest = name.split("-", 2)
        label = FIELD_LABELS.get(rest, rest)
        return gettext("Row %(n)s, %(field)s", n=int(row) + 1, field=label)
    return str(FIELD_LABELS.get(name, name))


def form_problems(errors: Mapping[str, list[Any]]) -> InvalidData:
    """A form's errors as the engine words invalid data, each naming its field in words."""
    problems = [
        invalid_field(
            name,
            f"{field_label(name)}：{'；'.join(str(e) for e in messages)}",
            f"{field_label(name)}: {'; '.join(str(e) for e in messages)}",
        )
        for name, messages in errors.items()
    ]
    return InvalidData(gettext("The form has errors."), "the form has errors", problems=problems)


def yuan(text: str) -> Decimal:
    """An amount typed in yuan ("1,200.50"), once ``yuan_problem`` found nothing wrong."""
    return Decimal(text.strip().replace(",", ""))


def yuan_problem(text: str, positive: bool = True) -> str | None:
    """What is wrong with an amount typed in yuan, if anything."""
    try:
        amount = yuan(text)
    except InvalidOperation:
        amount = Decimal(-1)
    low = Decimal("0.01") if positive else Decimal(0)
    if (
        not amount.is_finite()
        or not low <= amount <= Decimal("10000000")
        or amount != amount.quantize(Decimal("0.01"))
    ):
        if positive:
            return gettext("Enter an amount in yuan above 0, with at most two decimals.")
        return gettext("Enter an amount in yuan, with at most two decimals.")
    return None


def check_yuan(form: FlaskForm, field: Field) -> None:
    """WTForms validator: a positive amount in yuan, when one is typed."""
    if field.data and (problem := yuan_problem(str(field.data))):
        raise ValidationError(problem)


def _choice(values: tuple[str, ...] | list[str]) -> AnyOf:
    return AnyOf(list(values), message=CHOOSE)


class DismissForm(FlaskForm):  # type: ignore[misc]
    """An objection found unfounded, with the reasons (Art. 19)."""

    resolution = TextAreaField(validators=[DataRequired(), Length(max=MAX_TEXT)])
    expected_version = IntegerField(validators=[DataRequired()])
    #: dismissing closes what a villager raised: the officer ticks a box to confirm it
    confirm = BooleanField(
        validators=[DataRequired(message=_l("Tick the box to confirm the dismissal."))]
    )


class DemocraticReviewForm(FlaskForm):  # type: ignore[misc]
    """A democratic review (民主评议) of the notice's objections (Art. 19 ¶2)."""

    held_on = DateField(validators=[DataRequired()])
    participants = TextAreaField(validators=[DataRequired(), Length(max=20000)])
    outcome = StringField(validators=[_choice(tuple(REVIEW_OUTCOMES))])
    minutes = TextAreaField(validators=[DataRequired(), Length(max=MAX_TEXT)])
    expected_version = IntegerField(validators=[DataRequired()])


class ComplaintForm(FlaskForm):  # type: ignore[misc]
    """A complaint or report received while the county confirms the case (Art. 20)."""

    complainant = StringField(validators=[DataRequired(), Length(max=100)])
    content = TextAreaField(validators=[DataRequired(), Length(max=MAX_TEXT)])
    expected_version = IntegerField(validators=[DataRequired()])


class RepaymentForm(FlaskForm):  # type: ignore[misc]
    """Money paid back against a recovery order."""

    recovery_id = IntegerField(validators=[DataRequired()])
    amount_yuan = StringField(validators=[DataRequired(), check_yuan])
    paid_on = DateField(validators=[DataRequired()])
    note = TextAreaField(validators=[Optional(), Length(max=MAX_TEXT)])
    expected_version = IntegerField(validators=[DataRequired()])


class ChangeForm(FlaskForm):  # type: ignore[misc]
    """A change of means found by an investigation or recheck (the rows are read apart)."""

    kind = StringField(validators=[_choice(CHANGE_KINDS)])
    note = TextAreaField(validators=[DataRequired(), Length(max=MAX_TEXT)])
    income_stable = StringField(validators=[_choice(TRI_STATE)])
    rigid_expenses_yuan = StringField(validators=[Optional()])
    expected_version = IntegerField(validators=[DataRequired()])


class DeathForm(FlaskForm):  # type: ignore[misc]
    """A member's death (the case is reassessed within 3 months)."""

    id_number = StringField(validators=[DataRequired(), Length(max=18)])
    died_on = DateField(validators=[DataRequired()])
    expected_version = IntegerField(validators=[DataRequired()])


class JoinForm(FlaskForm):  # type: ignore[misc]
    """A person joining the household."""

    id_number = StringField(validators=[DataRequired(), Length(max=18)])
    name = StringField(validators=[DataRequired(), Length(max=50)])
    relation = StringField(validators=[_choice([r.value for r in Relation if r != Relation.SELF])])
    wages = StringField(validators=[Optional()])
    other_type = StringField(
        validators=[Optional(), _choice([t.value for t in IncomeType if t != IncomeType.WAGES])]
    )
    other_yuan = StringField(validators=[Optional()])
    disability_grade = StringField(validators=[Optional(), _choice(("1", "2", "3", "4"))])
    disability_type = StringField(
        validators=[Optional(), _choice([t.value for t in DisabilityType])]
    )
    serious_illness = BooleanField()
    able_to_work = BooleanField()
    in_school = BooleanField()
    joined_on = DateField(validators=[DataRequired()])
    reason = StringField(validators=[_choice(JOIN_REASONS)])
    note = TextAreaField(validators=[Optional(), Length(max=500)])
    expected_version = IntegerField(validators=[DataRequired()])

    def validate_wages(self, field: Field) -> None:
        """Wages, when typed, are an amount."""
        if field.data and (problem := yuan_problem(field.data, positive=False)):
            raise ValidationError(problem)

    def validate_other_yuan(self, field: Field) -> None:
        """Another income needs its type and an amount."""
        if field.data and (problem := yuan_problem(field.data, positive=False)):
            raise ValidationError(problem)
        if field.data and not self.other_type.data:
            raise ValidationError(gettext("Choose the type of this income."))


class DepartureForm(FlaskForm):  # type: ignore[misc]
    """A member other than the applicant leaving the household alive."""

    id_number = StringField(validators=[DataRequired(), Length(max=18)])
    left_on = DateField(validators=[DataRequired()])
    reason = StringField(validators=[_choice(DEPARTURE_REASONS)])
    note = TextAreaField(validators=[Optional(), Length(max=500)])
    expected_version = IntegerField(validators=[DataRequired()])


class ServiceForm(FlaskForm):  # type: ignore[misc]
    """The day and way the written decision was served on the applicant (Art. 21, 38)."""

    served_on = DateField(validators=[DataRequired()])
    method = StringField(validators=[_choice(SERVICE_METHODS)])
    expected_version = IntegerField(validators=[DataRequired()])


class DeclarationForm(FlaskForm):  # type: ignore[misc]
    """The applicant's declaration that a member is an official's relative."""

    official_id_number = StringField(validators=[DataRequired(), Length(max=18)])
    member_id_number = StringField(validators=[DataRequired(), Length(max=18)])
    relation = StringField(validators=[_choice([r.value for r in KinRelation])])


class CrosscheckForm(FlaskForm):  # type: ignore[misc]
    """How staff resolve an information-check flag, and why."""

    outcome = StringField(validators=[_choice(list(CROSSCHECK_OUTCOMES))])
    reason = TextAreaField(validators=[DataRequired(), Length(max=2000)])
    expected_version = IntegerField(validators=[DataRequired()])


@dataclass(frozen=True)
class RecordForms:
    """Which of the record forms the user may use on the case now."""

    edit_draft: bool
    dismiss: bool
    democratic_review: bool
    complaint: bool
    repayment: bool
    change: bool
    household: bool
    serve: bool
    declaration: bool

    @property
    def any(self) -> bool:
        """Whether the records box has anything to offer."""
        return any(
            (
                self.democratic_review,
                self.complaint,
                self.repayment,
                self.change,
                self.household,
                self.serve,
                self.declaration,
            )
        )


def record_forms(actor: Actor, detail: CaseDetail) -> RecordForms:
    """The record forms shown to ``actor`` on the case: only what their role may do in its
    state (the services refuse the rest anyway)."""
    role, state = actor.role, CaseState(detail.summary.state)
    staff = role in {Role.CLERK, Role.REVIEWER, Role.APPROVER}
    notice = state == CaseState.IN_PUBLIC_NOTICE and role == Role.REVIEWER
    since = detail.dates.get("notice_started_at")
    objected = since is not None and any(
        o.kind != "complaint" and o.raised_at >= since for o in detail.objections
    )
    return RecordForms(
        # the clerk, or the coordinator who registers drafts on households' behalf (代办)
        edit_draft=role in (Role.CLERK, Role.COORDINATOR) and state == CaseState.DRAFT,
        dismiss=notice and any(o.status == "open" for o in detail.objections),
        democratic_review=notice and objected,
        complaint=role in COMPLAINT_ROLES and state == CaseState.PENDING_CONFIRMATION,
        repayment=role in RECOVERY_ROLES
        and any((r.outstanding_yuan or 0) > 0 for r in detail.recoveries),
        change=staff and state in CHANGE_STATES,
        # a draft's household is corrected on the application form itself
        household=staff and state not in FINAL_STATES and state != CaseState.DRAFT,
        serve=staff and state in DECIDED_STATES and detail.dates.get("decided_at") is not None,
        declaration=role == Role.CLERK and state not in FINAL_STATES,
    )


def _date(value: dt.date | None) -> dt.date:
    assert value is not None  # DataRequired ran
    return value


def _text(value: str | None) -> str:
    return (value or "").strip()


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


def _grade(value: str | None) -> int | None:
    return int(value) if value else None


def _change_rows(form: MultiDict[str, str], errors: dict[str, list[str]]) -> list[Any]:
    """The members whose figures the change-of-means table changes (blank: unchanged)."""
    changes = []
    for i in range(MAX_ROWS):
        p = f"m-{i}-"
        number = form.get(p + "id_number", "").strip()
        if not number:
            continue
        wages, other_type, other_yuan = (
            form.get(p + f, "").strip() for f in ("wages", "other_type", "other_yuan")
        )
        for name, text in (("wages", wages), ("other_yuan", other_yuan)):
            if text and (problem := yuan_problem(text, positive=False)):
                errors[p + name] = [problem]
        if other_yuan and other_type not in {t.value for t in IncomeType}:
            errors[p + "other_type"] = [gettext("Choose the type of this income.")]
        flags = {f: _yes_no(form.get(p + f, "")) for f in ("able_to_work", "serious_illness")}
        in_school = _yes_no(form.get(p + "in_school", ""))
        grade = form.get(p + "disability_grade", "").strip()
        kind = form.get(p + "disability_type", "").strip() or None
        incomes = None
        if (wages or other_yuan) and not errors:
            incomes = []
            if wages and yuan(wages) > 0:
                incomes.append(services.IncomeInput("wages", yuan(wages)))
            if other_yuan and yuan(other_yuan) > 0:
                incomes.append(services.IncomeInput(other_type, yuan(other_yuan)))
        if grade and grade not in ("1", "2", "3", "4"):
            errors[p + "disability_grade"] = [str(CHOOSE)]
        change = services.MemberChange(
            id_number=number,
            incomes=incomes,
            disability_grade=int(grade) if grade in ("1", "2", "3", "4") else None,
            disability_type=kind,
            serious_illness=flags["serious_illness"],
            able_to_work=flags["able_to_work"],
            in_school=in_school,
        )
        if change != services.MemberChange(id_number=number):
            changes.append((i, change))
    return changes


class CaseRecordViews:
    """The views behind the record forms (mixed into the case page's view)."""

    def page(self, case_id: int, **extra: Any) -> str:
        """The case page (the case view renders it)."""
        raise NotImplementedError

    def refused(self, case_id: int, key: str, errors: Mapping[str, list[Any]]) -> tuple[str, int]:
        """The page again, the form ``key`` open with each problem at its field."""
        for problem in form_problems(errors).problems:
            flash(problem_text(problem), "error")
        messages = {name: [str(m) for m in found] for name, found in errors.items()}
        return self.page(case_id, failed=key, field_errors=messages, typed=request.form), 422

    def submitted(
        self,
        case_id: int,
        key: str,
        form: FlaskForm,
        call: Callable[[], str],
        field_of: Callable[[str], str] = lambda field: field,
        errors: dict[str, list[str]] | None = None,
    ) -> Response | tuple[str, int]:
        """Validate ``form``, make the service ``call`` and say what it did; problems with
        fields come back at the fields, other refusals as flashed messages."""
        found = dict(errors or {})
        if not form.validate_on_submit():
            found.update({n: [str(m) for m in ms] for n, ms in form.errors.items()})
        if found:
            return self.refused(case_id, key, found)
        try:
            message = call()
        except InvalidData as err:
            at_fields: dict[str, list[str]] = {}
            for p in err.problems:
                if p.field:
                    at_fields.setdefault(field_of(p.field), []).append(problem_text(p))
            if not at_fields:
                raise
            return self.refused(case_id, key, at_fields)
        flash(message, "success")
        return redirect(url_for(".details", case_id=case_id))

    @expose("/<int:case_id>/objections/<int:objection_id>/dismiss", methods=["POST"])
    @shows_domain_errors
    def dismiss(self, case_id: int, objection_id: int) -> Response | tuple[str, int]:
        """Dismiss an objection found unfounded (reviewer), with the reasons."""
        form = DismissForm()

        def call() -> str:
            services.dismiss_objection(
                runtime().uow(),
                current_actor(),
                case_id,
                objection_id,
                _text(form.resolution.data),
                form.expected_version.data,
            )
            return gettext("The objection is dismissed.")

        return self.submitted(case_id, f"dismiss-{objection_id}", form, call)

    @expose("/<int:case_id>/democratic-reviews", methods=["POST"])
    @shows_domain_errors
    def democratic_review(self, case_id: int) -> Response | tuple[str, int]:
        """Record a democratic review of the notice's objections (reviewer)."""
        form = DemocraticReviewForm()

        def call() -> str:
            names = [n.strip() for n in (form.participants.data or "").splitlines() if n.strip()]
            services.record_democratic_review(
                runtime().uow(),
                current_actor(),
                case_id,
                services.DemocraticReviewInput(
                    held_on=_date(form.held_on.data),
                    participants=names,
                    outcome=form.outcome.data,
                    minutes=_text(form.minutes.data),
                ),
                form.expected_version.data,
            )
            return gettext(
                "The democratic review is recorded: give the revised initial opinion before "
                "the notice closes."
            )

        return self.submitted(case_id, "democratic-review", form, call, lambda f: f.split(".")[0])

    @expose("/<int:case_id>/complaints", methods=["POST"])
    @shows_domain_errors
    def complaint(self, case_id: int) -> Response | tuple[str, int]:
        """Record a complaint received while the county confirms (Art. 20)."""
        form = ComplaintForm()

        def call() -> str:
            services.record_complaint(
                runtime().uow(),
                current_actor(),
                case_id,
                _text(form.complainant.data),
                _text(form.content.data),
                form.expected_version.data,
            )
            return gettext(
                "The complaint is recorded: the county visits the household itself before "
                "approving."
            )

        return self.submitted(case_id, "complaint", form, call)

    @expose("/<int:case_id>/repayments", methods=["POST"])
    @shows_domain_errors
    def repayment(self, case_id: int) -> Response | tuple[str, int]:
        """Record money paid back against a recovery order (approver)."""
        form = RepaymentForm()
        recovery_id = whole_number(request.form.get("recovery_id", ""), DB_INT_MAX)

        def call() -> str:
            assert recovery_id is not None
            record_repayment(
                runtime().uow(),
                current_actor(),
                case_id,
                recovery_id,
                yuan(form.amount_yuan.data),
                _date(form.paid_on.data),
                _text(form.note.data),
                form.expected_version.data,
            )
            return gettext("The repayment is recorded.")

        errors = {} if recovery_id else {"recovery_id": [str(CHOOSE)]}
        return self.submitted(case_id, "repayment", form, call, errors=errors)

    @expose("/<int:case_id>/changes", methods=["POST"])
    @shows_domain_errors
    def change(self, case_id: int) -> Response | tuple[str, int]:
        """Record changed incomes, health or work capacity (during investigation or recheck)."""
        form = ChangeForm()
        errors: dict[str, list[str]] = {}
        rows = _change_rows(request.form, errors)
        rigid = _text(form.rigid_expenses_yuan.data)
        if rigid and (problem := yuan_problem(rigid, positive=False)):
            errors["rigid_expenses_yuan"] = [problem]

        def call() -> str:
            services.record_change(
                runtime().uow(),
                current_actor(),
                case_id,
                services.MeansChange(
                    kind=form.kind.data,
                    note=_text(form.note.data),
                    members=[change for _, change in rows],
                    income_stable=_yes_no(form.income_stable.data),
                    rigid_expenses_yuan=yuan(rigid) if rigid else None,
                ),
                form.expected_version.data,
            )
            return gettext("The change is recorded: the next decision computes from it.")

        def field_of(field: str) -> str:
            # members.<i>.<name> names the i-th member changed: its row on the form
            parts = field.split(".")
            if parts[0] == "members" and len(parts) > 2 and parts[1].isdigit():
                row = rows[int(parts[1])][0] if int(parts[1]) < len(rows) else 0
                name = "wages" if parts[2] in ("incomes", "monthly_income") else parts[2]
                return f"m-{row}-{name}"
            return field

        return self.submitted(case_id, "change", form, call, field_of, errors)

    @expose("/<int:case_id>/crosschecks/<int:flag_id>/resolve", methods=["POST"])
    @shows_domain_errors
    def crosscheck(self, case_id: int, flag_id: int) -> Response | tuple[str, int]:
        """Resolve an information-check flag (staff): explained, or the case rechecked."""
        form = CrosscheckForm()

        def call() -> str:
            resolve_crosscheck(
                runtime().uow(),
                current_actor(),
                flag_id,
                _text(form.outcome.data),
                _text(form.reason.data),
                form.expected_version.data,
                case_id=case_id,
            )
            return gettext("The flag is resolved.")

        return self.submitted(case_id, f"crosscheck-{flag_id}", form, call)

    @expose("/<int:case_id>/deaths", methods=["POST"])
    @shows_domain_errors
    def death(self, case_id: int) -> Response | tuple[str, int]:
        """Record a member's death (staff): the case is reassessed within 3 months."""
        form = DeathForm()

        def call() -> str:
            services.record_death(
                runtime().uow(),
                current_actor(),
                case_id,
                _text(form.id_number.data),
                _date(form.died_on.data),
                form.expected_version.data,
            )
            return gettext("The death is recorded: reassess the case within 3 months.")

        return self.submitted(case_id, "death", form, call)

    @expose("/<int:case_id>/members", methods=["POST"])
    @shows_domain_errors
    def join(self, case_id: int) -> Response | tuple[str, int]:
        """Record a person joining the household (staff); kinship is checked again."""
        form = JoinForm()

        def call() -> str:
            other = _text(form.other_yuan.data)
            services.record_member_joined(
                runtime().uow(),
                current_actor(),
                case_id,
                services.MemberInput(
                    id_number=_text(form.id_number.data),
                    name=_text(form.name.data),
                    relation=form.relation.data,
                    monthly_income=yuan(_text(form.wages.data) or "0"),
                    disability_grade=_grade(form.disability_grade.data),
                    disability_type=form.disability_type.data or None,
                    serious_illness=bool(form.serious_illness.data),
                    able_to_work=bool(form.able_to_work.data),
                    in_school=bool(form.in_school.data),
                    incomes=[services.IncomeInput(form.other_type.data, yuan(other))]
                    if other and yuan(other) > 0
                    else [],
                ),
                _date(form.joined_on.data),
                form.reason.data,
                _text(form.note.data),
                form.expected_version.data,
            )
            return gettext("%(name)s joins the household.", name=_text(form.name.data))

        def field_of(field: str) -> str:
            name = field.removeprefix("member.")
            return "wages" if name.startswith(("incomes", "monthly_income")) else name

        return self.submitted(case_id, "join", form, call, field_of)

    @expose("/<int:case_id>/departures", methods=["POST"])
    @shows_domain_errors
    def departure(self, case_id: int) -> Response | tuple[str, int]:
        """Record a member moving or marrying out (staff)."""
        form = DepartureForm()

        def call() -> str:
            services.record_member_left(
                runtime().uow(),
                current_actor(),
                case_id,
                _text(form.id_number.data),
                _date(form.left_on.data),
                form.reason.data,
                _text(form.note.data),
                form.expected_version.data,
            )
            return gettext("The member has left the household.")

        return self.submitted(case_id, "departure", form, call)

    @expose("/<int:case_id>/decision-served", methods=["POST"])
    @shows_domain_errors
    def serve(self, case_id: int) -> Response | tuple[str, int]:
        """Record the day the written decision was served (Art. 21, 38)."""
        form = ServiceForm()

        def call() -> str:
            services.serve_decision(
                runtime().uow(),
                current_actor(),
                case_id,
                _date(form.served_on.data),
                form.method.data,
                form.expected_version.data,
            )
            return gettext("The service of the decision is recorded.")

        return self.submitted(case_id, "serve", form, call)

    @expose("/<int:case_id>/declarations", methods=["POST"])
    @shows_domain_errors
    def declaration(self, case_id: int) -> Response | tuple[str, int]:
        """Record the applicant's declaration of a member's kinship with an official (clerk)."""
        form = DeclarationForm()

        def call() -> str:
            changes = declare_for_member(
                runtime().uow(),
                current_actor(),
                case_id,
                _text(form.official_id_number.data),
                _text(form.member_id_number.data),
                form.relation.data,
            )
            if changes.new:
                return gettext("The declaration is recorded: the case is flagged for filing.")
            return gettext("The declaration is recorded.")

        return self.submitted(case_id, "declaration", form, call)
