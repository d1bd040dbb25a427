"""Registering an application (clerk): the household, its members, and submission."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext
from werkzeug.wrappers import Response

from admin.extensions import runtime
from admin.ui.access import Restricted, current_actor
from admin.ui.i18n import VALUE_LABELS, error_text, problem_text
from admin.ui.paging import whole_number
from engine import services
from engine.db import DB_SMALLINT_MAX
from engine.errors import DomainError, Problem, invalid_field
from engine.inputs import number_problem
from engine.models import DisabilityType, IncomeType, RegionLevel
from engine.queries import region_names
from engine.services.applications import SUPPORTER_CHOICES
from engine.states import Role

MEMBER_ROWS = 8
MEMBER_FIELDS = (
    "id_number",
    "name",
    "relation",
    "wages",
    "other_type",
    "other_yuan",
    "disability_grade",
    "disability_type",
    "serious_illness",
    "able_to_work",
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
    other = _amount(value["other_yuan"], f"{where}.other_yuan", problems)
    if other and value["other_type"]:
        incomes.append(services.IncomeInput(value["other_type"], other))
    return services.MemberInput(
        id_number=value["id_number"],
        name=value["name"],
        relation=value["relation"] or "other",
        monthly_income=_amount(value["wages"], f"{where}.wages", problems),
        disability_grade=_count(value["disability_grade"], f"{where}.disability_grade", problems),
        disability_type=value["disability_type"] or None,
        serious_illness=bool(value["serious_illness"]),
        able_to_work=bool(value["able_to_work"]),
        incomes=incomes,
        covered=bool(value["covered"]),
    )


def application_from(form: Any) -> tuple[services.Application, list[Problem]]:
    """The application the form describes, and what could not even be read from it."""
    problems: list[Problem] = []
    members = [m for i in range(MEMBER_ROWS) if (m := _member(i, form, problems)) is not None]
    application = services.Application(
        category=str(form.get("category", "")),
        village_code=str(form.get("village_code", "")),
        members=members,
        draft=bool(form.get("draft")),
        income_stable=not form.get("income_unstable"),
        rigid_expenses_yuan=_amount(
            str(form.get("rigid_expenses_yuan", "")), "rigid_expenses_yuan", problems
        ),
        bank_account=str(form.get("bank_account", "")).strip() or None,
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


class ApplicationView(Restricted, BaseView):  # type: ignore[misc]
    """The application form; submitting it registers the household and submits the case."""

    roles = frozenset({Role.CLERK})

    def _render(self, form: Any, errors: list[str], status: int = 200) -> tuple[str, int]:
        actor = current_actor()
        with runtime().reader() as uow:
            villages = region_names(uow.session, actor.region_code, RegionLevel.VILLAGE)
        return (
            self.render(
                "ui/application.html",
                form=form,
                errors=errors,
                villages=villages,
                rows=range(MEMBER_ROWS),
                relations=VALUE_LABELS["relation"],
                income_types=[t.value for t in IncomeType],
                disability_types=[t.value for t in DisabilityType],
                supporter_choices=SUPPORTER_CHOICES,
            ),
            status,
        )

    @expose("/", methods=["GET"])
    def index(self) -> tuple[str, int]:
        """An empty form (the first row is the applicant)."""
        return self._render({"m-0-relation": "self"}, [])

    @expose("/", methods=["POST"])
    def submit(self) -> Response | tuple[str, int]:
        """Register and submit; on any error the form comes back as it was typed."""
        application, problems = application_from(request.form)
        if problems:
            return self._render(request.form, [problem_text(p) for p in problems], 422)
        try:
            ref = services.submit_application(runtime().uow(), current_actor(), application)
        except DomainError as err:
            errors = [error_text(err)] + [problem_text(p) for p in err.problems]
            return self._render(request.form, errors, 422)
        flash(gettext("Case #%(id)s is registered.", id=ref.id), "success")
        return redirect(url_for("case.details", case_id=ref.id))
