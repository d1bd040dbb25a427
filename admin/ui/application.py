"""Registering an application (clerk): the household, its members, and submission."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from admin.extensions import runtime
from admin.reads import read_case
from admin.ui.access import Restricted, current_actor, shows_domain_errors
from admin.ui.i18n import VALUE_LABELS, error_text, problem_text
from admin.ui.paging import whole_number
from engine import services
from engine.case_view import CaseDetail
from engine.db import DB_INT_MAX, DB_SMALLINT_MAX
from engine.errors import DomainError, Forbidden, NotFound, Problem, invalid_field
from engine.inputs import number_problem
from engine.models import DisabilityType, IncomeType, RegionLevel
from engine.queries import region_names
from engine.services.applications import SUPPORTER_CHOICES
from engine.states import CaseState, Role

MEMBER_ROWS = 8
MEMBER_FIELDS = (
    "id_number",
    "name",
    "relation",
    "wages",
    "disability_grade",
    "disability_type",
    "serious_illness",
    "able_to_work",
    "in_school",
    "covered",
)


def _amount(raw: str, field: str, problems: list[Problem]) -> Decimal:
    """A yuan amount typed in a form ('' is zero)."""
    text = raw.strip().replace(",", "")
    if not text:
        return Decimal(0)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        problems.append(invalid_field(field, f"{field}：金额格式有误", f"{field}: not an amount"))
        return Decimal(0)
    bad = number_problem(amount, field)
    if bad is not None:
        problems.append(bad)
        return Decimal(0)
    return amount


def _count(raw: str, field: str, problems: list[Problem]) -> int | None:
    """A whole number typed in a form ('' is unknown)."""
    text = raw.strip()
    if not text:
        return None
    count = whole_number(text, DB_SMALLINT_MAX)
    if count is None:
        problems.append(
            invalid_field(
                field,
                f"{field}：须为0至{DB_SMALLINT_MAX}的整数",
                f"{field}: a whole number from 0 to {DB_SMALLINT_MAX}",
            )
        )
    return count


def _member(i: int, form: Any, problems: list[Problem]) -> services.MemberInput | None:
    """Row ``i`` of the members table, or None when the row was left empty."""
    value = {f: str(form.get(f"m-{i}-{f}", "")).strip() for f in MEMBER_FIELDS}
    if not value["id_number"] and not value["name"]:
        return None
    where = f"members.{i}"
    incomes = []
    # a row may carry several other incomes (a draft saved with them through the API)
    types, amounts = form.getlist(f"m-{i}-other_type"), form.getlist(f"m-{i}-other_yuan")
    for kind, raw in zip(types, amounts, strict=False):
        other = _amount(str(raw), f"{where}.other_yuan", problems)
        if other and str(kind).strip():
            incomes.append(services.IncomeInput(str(kind).strip(), other))
    return services.MemberInput(
        id_number=value["id_number"],
        name=value["name"],
        relation=value["relation"] or "other",
        monthly_income=_amount(value["wages"], f"{where}.wages", problems),
        disability_grade=_count(value["disability_grade"], f"{where}.disability_grade", problems),
        disability_type=value["disability_type"] or None,
        serious_illness=bool(value["serious_illness"]),
        able_to_work=bool(value["able_to_work"]),
        in_school=bool(value["in_school"]),
        incomes=incomes,
        covered=bool(value["covered"]),
    )


#: an engine field path's last part -> the form input it came from
_INPUT_OF = {
    "monthly_income": "wages",
    "monthly_yuan": "other_yuan",
    "type": "other_type",
    "deposits_yuan": "deposits_yuan",
}
#: what a form input is called, for messages that name it
INPUT_LABELS = {
    "id_number": _l("ID number"),
    "name": _l("Name"),
    "relation": _l("Relation"),
    "wages": _l("Wages"),
    "other_type": _l("Income type"),
    "other_yuan": _l("Other income"),
    "disability_grade": _l("Disability grade"),
    "disability_type": _l("Disability type"),
    "covered": _l("Covered alone"),
    "in_school": _l("At school"),
    "rigid_expenses_yuan": _l("Rigid expenses (yuan/month)"),
    "bank_account": _l("Bank account"),
    "address": _l("Address"),
    "deposits_yuan": _l("Deposits (yuan)"),
    "vehicles": _l("Vehicles"),
    "extra_housing_units": _l("Other homes"),
    "tekun_supporter": _l("Legal supporters (tekun only)"),
    "village_code": _l("Village"),
    "category": _l("Category"),
}


def located(problems: list[Problem]) -> tuple[list[str], dict[str, str]]:
    """Each problem in words naming its row (counted from 1) and field, and the messages by
    the form input they belong to, so that the page marks the field itself."""
    listed: list[str] = []
    at_input: dict[str, str] = {}
    for problem in problems:
        text = problem_text(problem)
        parts = (problem.field or "").split(".")
        if len(parts) >= 3 and parts[0] == "members" and parts[1].isdigit():
            row = int(parts[1])
            name = _INPUT_OF.get(parts[-1], parts[-1])
            label = INPUT_LABELS.get(name)
            where = gettext("Member %(n)s", n=row + 1)
            listed.append(f"{where}「{label}」：{text}" if label else f"{where}：{text}")
            at_input.setdefault(f"m-{row}-{name}", text)
        elif (name := _INPUT_OF.get(parts[-1], parts[-1])) in INPUT_LABELS:
            listed.append(f"「{INPUT_LABELS[name]}」：{text}")
            at_input.setdefault(name, text)
        else:
            listed.append(text)
    return listed, at_input


def _headline(err: DomainError) -> str | None:
    """What heads a refusal's list: nothing when its problems say it all field by field."""
    return None if err.problems else error_text(err)


def application_from(form: Any) -> tuple[services.Application, list[Problem]]:
    """The application the form describes, and what could not even be read from it."""
    problems: list[Problem] = []
    members = [m for i in range(MEMBER_ROWS) if (m := _member(i, form, problems)) is not None]
    application = services.Application(
        category=str(form.get("category", "")),
        village_code=str(form.get("village_code", "")),
        members=members,
        # a coordinator's application is a draft for the township clerk to submit (代办)
        draft=bool(form.get("draft")) or current_actor().role == Role.COORDINATOR,
        income_stable=not form.get("income_unstable"),
        rigid_expenses_yuan=_amount(
            str(form.get("rigid_expenses_yuan", "")), "rigid_expenses_yuan", problems
        ),
        bank_account=str(form.get("bank_account", "")).strip() or None,
        address=str(form.get("address", "")).strip() or None,
        tekun_supporter=str(form.get("tekun_supporter", "")).strip() or None,
        property=services.PropertyInput(
            deposits_yuan=_amount(str(form.get("deposits_yuan", "")), "deposits_yuan", problems)
            if str(form.get("deposits_yuan", "")).strip()
            else None,
            vehicles=_count(str(form.get("vehicles", "")), "vehicles", problems),
            extra_housing_units=_count(
                str(form.get("extra_housing_units", "")), "extra_housing_units", problems
            ),
        ),
    )
    return application, problems


def draft_form(detail: CaseDetail) -> MultiDict[str, str]:
    """The application form filled in from a draft case, as the clerk typed it."""
    s, household = detail.summary, detail.household
    form: MultiDict[str, str] = MultiDict(
        {
            "category": s.category,
            "village_code": s.village_code,
            "draft": "1",
            "rigid_expenses_yuan": _typed(household.get("rigid_expenses_yuan")),
            "deposits_yuan": _typed(household.get("deposits_yuan")),
            "vehicles": _typed(household.get("vehicles")),
            "extra_housing_units": _typed(household.get("extra_housing_units")),
            "tekun_supporter": household.get("tekun_supporter") or "",
            "address": household.get("address") or "",
        }
    )
    if not household.get("income_stable", True):
        form["income_unstable"] = "1"
    for i, m in enumerate(detail.members[:MEMBER_ROWS]):
        p = f"m-{i}-"
        incomes = m.incomes or []
        wages = sum((Decimal(x["monthly_yuan"]) for x in incomes if x["type"] == "wages"), 0)
        form.update(
            {
                p + "id_number": m.id_number,
                p + "name": m.name,
                p + "relation": m.relation,
                p + "wages": _typed(wages or None),
                p + "disability_grade": _typed(m.disability_grade),
                p + "disability_type": m.disability_type or "",
            }
        )
        for flag in ("serious_illness", "able_to_work", "in_school", "covered"):
            if getattr(m, flag):
                form[p + flag] = "1"
        for x in incomes:
            if x["type"] != "wages":
                form.add(p + "other_type", str(x["type"]))
                form.add(p + "other_yuan", _typed(x["monthly_yuan"]))
    return form


def _typed(value: object) -> str:
    """A stored value as typed on the form ('' for none)."""
    return "" if value is None else str(value)


class ApplicationView(Restricted, BaseView):  # type: ignore[misc]
    """The application form; submitting it registers the household and submits the case.

    Opened on a draft (``/<case_id>``) it shows the draft's application, and saving it
    corrects the draft through the same service as ``PUT /api/v1/cases/{id}``.
    """

    roles = frozenset({Role.CLERK, Role.COORDINATOR})

    def _render(
        self,
        form: Any,
        problems: list[Problem],
        status: int = 200,
        draft: CaseDetail | None = None,
        headline: str | None = None,
    ) -> tuple[str, int]:
        actor = current_actor()
        errors, field_errors = located(problems)
        if headline:
            errors.insert(0, headline)
        with runtime().reader() as uow:
            villages = region_names(uow.session, actor.region_code, RegionLevel.VILLAGE)
        return (
            self.render(
                "ui/application.html",
                form=form,
                draft=draft.summary if draft else None,
                bank_account=draft.household.get("bank_account") if draft else None,
                errors=errors,
                field_errors=field_errors,
                villages=villages,
                rows=range(MEMBER_ROWS),
                relations=VALUE_LABELS["relation"],
                income_types=[t.value for t in IncomeType],
                disability_types=[t.value for t in DisabilityType],
                supporter_choices=SUPPORTER_CHOICES,
                coordinator=actor.role == Role.COORDINATOR,
            ),
            status,
        )

    @expose("/", methods=["GET"])
    def index(self) -> tuple[str, int]:
        """An empty form (the first row is the applicant)."""
        return self._render(MultiDict({"m-0-relation": "self"}), [])

    @expose("/<int:case_id>", methods=["GET"])
    @shows_domain_errors
    def edit(self, case_id: int) -> Response | tuple[str, int]:
        """A draft's application, to correct (the read of its personal data is logged)."""
        detail = read_case(current_actor(), case_id, "ui")
        if detail.summary.state != CaseState.DRAFT:
            flash(gettext("Only a draft can be corrected here."), "error")
            return redirect(url_for("case.details", case_id=case_id))
        return self._render(draft_form(detail), [], draft=detail)

    @expose("/<int:case_id>", methods=["POST"])
    @shows_domain_errors
    def save(self, case_id: int) -> Response | tuple[str, int]:
        """Correct the draft (and submit it unless kept as a draft); on any refusal the form
        comes back as it was typed."""
        actor = current_actor()
        detail = read_case(actor, case_id, "ui")
        application, problems = application_from(request.form)
        version = whole_number(request.form.get("expected_version", ""), DB_INT_MAX)
        if problems:
            return self._render(request.form, problems, 422, detail)
        try:
            ref = services.update_draft(runtime().uow(), actor, case_id, application, version)
        except (NotFound, Forbidden):
            raise
        except DomainError as err:
            return self._render(request.form, list(err.problems), 422, detail, _headline(err))
        if ref.state == CaseState.DRAFT:
            flash(gettext("The draft is saved."), "success")
        else:
            flash(gettext("Case #%(id)s is registered.", id=ref.id), "success")
        return redirect(url_for("case.details", case_id=ref.id))

    @expose("/", methods=["POST"])
    def submit(self) -> Response | tuple[str, int]:
        """Register and submit; on any error the form comes back as it was typed."""
        application, problems = application_from(request.form)
        if problems:
            return self._render(request.form, problems, 422)
        try:
            ref = services.submit_application(runtime().uow(), current_actor(), application)
        except DomainError as err:
            return self._render(request.form, list(err.problems), 422, None, _headline(err))
        if current_actor().role == Role.COORDINATOR:
            message = gettext("Case #%(id)s is saved as a draft for the township clerk.", id=ref.id)
        else:
            message = gettext("Case #%(id)s is registered.", id=ref.id)
        flash(message, "success")
        return redirect(url_for("case.details", case_id=ref.id))
