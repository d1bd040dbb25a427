"""The administrator's workspace: users, regions, standards and parameters, the officials registry.

Every change goes through the same service the CLI and the API use, which
checks the role and region again and writes the ledger entry; the views only
collect the form and show the outcome. Administrators fire no case transitions.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation
from typing import NoReturn
from urllib.parse import quote

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import gettext
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from admin.extensions import runtime
from admin.import_templates import TEMPLATE_NAMES, TEMPLATES, XLSX_MIMETYPE
from admin.imports import read_records
from admin.ui.access import Restricted, current_actor, shows_domain_errors
from admin.ui.paging import PAGE_SIZE, page_arg, page_count
from audit.officials import check_header, import_officials, list_officials, rows_from_records
from engine.access import county_of
from engine.errors import NotFound, invalid_field, raise_invalid
from engine.models import AreaType, Region, StandardCategory, User, fen_to_yuan
from engine.parameters import SPECS
from engine.privacy import Disclosure
from engine.queries import region_names
from engine.services.policy import NewParameter, NewStandard, set_parameter, set_standard
from engine.services.policy_queries import list_parameters, list_standards
from engine.services.regions import import_regions, region_rows
from engine.services.users import NewUser, approve_user, create_user, update_user
from engine.states import Role

ADMINS = frozenset({Role.ADMIN})
#: an upload larger than this is refused before it is read (a county's registry is far smaller)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _refuse(field: str, zh: str, en: str) -> NoReturn:
    """Refuse one form field, worded as the services word invalid input."""
    raise_invalid([invalid_field(field, zh, en)])
    raise AssertionError("raise_invalid raises for a non-empty list")


def _upload() -> tuple[str, bytes]:
    """The uploaded file's name and bytes, or InvalidData naming what is wrong."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        _refuse("file", "请选择要导入的文件", "choose a file to import")
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if len(data) > MAX_UPLOAD_BYTES:
        megabytes = MAX_UPLOAD_BYTES // 1024 // 1024
        _refuse("file", f"文件超过{megabytes} MB", f"the file is larger than {megabytes} MB")
    return upload.filename, data


def template_download(kind: str) -> Response:
    """An import template as an XLSX download."""
    response = Response(TEMPLATES[kind](), mimetype=XLSX_MIMETYPE)
    name = quote(f"{TEMPLATE_NAMES[kind]}导入模板.xlsx")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{kind}-template.xlsx\"; filename*=UTF-8''{name}"
    )
    return response


def _date(raw: str, field: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        _refuse(field, "日期格式须为 YYYY-MM-DD", "a date as YYYY-MM-DD")


def _pending(user_id: int) -> bool:
    """Whether the account waits for a second administrator's approval."""
    with runtime().reader() as uow:
        return uow.session.scalar(select(User.pending_since).where(User.id == user_id)) is not None


class UsersView(Restricted, BaseView):  # type: ignore[misc]
    """Accounts in the administrator's region: create, rename, deactivate, reset a password."""

    roles = ADMINS

    @expose("/")
    @shows_domain_errors
    def index(self) -> str:
        """The region's accounts, filtered by role and name, paged."""
        actor = current_actor()
        role = request.args.get("role") or ""
        q = (request.args.get("q") or "").strip()
        page = page_arg()
        where = [User.region_code.startswith(actor.region_code, autoescape=True)]
        if role in {r.value for r in Role}:
            where.append(User.role == Role(role))
        if q:
            where.append(
                User.username.contains(q, autoescape=True)
                | User.display_name.contains(q, autoescape=True)
            )
        with runtime().reader() as uow:
            total = uow.session.scalar(select(func.count()).select_from(User).where(*where)) or 0
            users = uow.session.execute(
                select(
                    User.id,
                    User.username,
                    User.display_name,
                    User.role,
                    User.region_code,
                    User.active,
                    User.pending_since,
                )
                .where(*where)
                .order_by(User.region_code, User.username)
                .limit(PAGE_SIZE)
                .offset((page - 1) * PAGE_SIZE)
            ).all()
            regions = region_names(uow.session, actor.region_code)
        return self.render(
            "ui/users.html",
            users=users,
            total=total,
            page=page,
            pages=page_count(total),
            role=role,
            q=q,
            roles=[r.value for r in Role],
            regions=regions,
            form=request.args,
        )

    @expose("/", methods=["POST"])
    @shows_domain_errors
    def create(self) -> Response:
        """Create an account in the administrator's region."""
        form = request.form
        new = NewUser(
            username=form.get("username", "").strip(),
            role=form.get("role", ""),
            region_code=form.get("region_code", ""),
            password=form.get("password", ""),
            display_name=form.get("display_name", "").strip(),
            id_number=form.get("id_number", "").strip() or None,
        )
        actor = current_actor()
        user_id = create_user(runtime().uow(), new, actor)
        flash(gettext("Account %(name)s created.", name=new.username), "success")
        if _pending(user_id):
            flash(
                gettext(
                    "It can sign in once a second administrator approves it: it sees personal "
                    "data, which your own account sees masked."
                ),
                "warning",
            )
        return redirect(url_for(".index"))

    @expose("/<int:user_id>")
    @shows_domain_errors
    def edit(self, user_id: int) -> str:
        """One account's form."""
        actor = current_actor()
        with runtime().reader() as uow:
            user = uow.session.get(User, user_id)
            if user is None or not user.region_code.startswith(actor.region_code):
                # an account outside the region answers as if it did not exist
                raise NotFound(f"用户{user_id}不存在", f"user {user_id} does not exist")
            account = {
                "id": user.id,
                "username": user.username,
                "display_name": user.display_name,
                "role": str(user.role),
                "region_code": user.region_code,
                "active": user.active,
                "locked_at": user.locked_at,
                "pending_since": user.pending_since,
                "pending_by": user.pending_by_id,
                "pending_by_name": (
                    uow.session.scalar(
                        select(User.display_name).where(User.id == user.pending_by_id)
                    )
                    if user.pending_by_id is not None
                    else None
                ),
            }
        return self.render("ui/user.html", account=account, me=actor.user_id)

    @expose("/<int:user_id>/approve", methods=["POST"])
    @shows_domain_errors
    def approve(self, user_id: int) -> Response:
        """Approve, as the second administrator, an account's creation or new password."""
        approve_user(runtime().uow(), current_actor(), user_id)
        flash(gettext("Approved: the account can sign in."), "success")
        return redirect(url_for(".edit", user_id=user_id))

    @expose("/<int:user_id>", methods=["POST"])
    @shows_domain_errors
    def update(self, user_id: int) -> Response:
        """Save the display name and status; set a new password or unlock when asked."""
        form = request.form
        update_user(
            runtime().uow(),
            current_actor(),
            user_id,
            display_name=form.get("display_name"),
            active=form.get("active") == "1",
            password=form.get("password") or None,
            unlock=form.get("unlock") == "1",
        )
        flash(gettext("Account saved."), "success")
        if form.get("password") and _pending(user_id):
            flash(
                gettext(
                    "The new password works once a second administrator approves it: the "
                    "account sees personal data, which your own account sees masked."
                ),
                "warning",
            )
        return redirect(url_for(".edit", user_id=user_id))


class RegionsView(Restricted, BaseView):  # type: ignore[misc]
    """The county's townships and villages; a CSV file adds or renames them."""

    roles = ADMINS

    @expose("/")
    @shows_domain_errors
    def index(self) -> str:
        """The region tree under the administrator's region, paged."""
        actor = current_actor()
        page = page_arg()
        where = Region.code.startswith(actor.region_code, autoescape=True)
        with runtime().reader() as uow:
            total = uow.session.scalar(select(func.count()).select_from(Region).where(where)) or 0
            regions = uow.session.execute(
                select(
                    Region.code,
                    Region.name,
                    Region.parent_code,
                    Region.level,
                    Region.area_type,
                    Region.population,
                )
                .where(where)
                .order_by(Region.code)
                .limit(PAGE_SIZE)
                .offset((page - 1) * PAGE_SIZE)
            ).all()
        return self.render(
            "ui/regions.html",
            regions=regions,
            total=total,
            page=page,
            pages=page_count(total),
        )

    @expose("/template.xlsx")
    def template(self) -> Response:
        """The region import template: Chinese headers, drop-down lists, a sheet of notes."""
        return template_download("regions")

    @expose("/import", methods=["POST"])
    @shows_domain_errors
    def upload(self) -> Response:
        """Import a region file, CSV or XLSX (code,name,parent_code,level,area_type[,population]
        and contacts, or the template's Chinese headers): all or none."""
        filename, data = _upload()
        rows = region_rows(*read_records(filename, data))
        report = import_regions(runtime().uow(), rows, current_actor())
        flash(
            gettext(
                "Regions: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.",
                created=report.created,
                updated=report.updated,
                unchanged=report.unchanged,
            ),
            "success",
        )
        return redirect(url_for(".index"))


def _decimal(raw: str, field: str) -> Decimal:
    try:
        return Decimal(raw.strip())
    except InvalidOperation:
        _refuse(field, "须为金额，如 650.00", "an amount such as 650.00")


class PolicyView(Restricted, BaseView):  # type: ignore[misc]
    """The county's dated standards and parameters, and forms to add a new version."""

    roles = ADMINS

    @expose("/")
    @shows_domain_errors
    def index(self) -> str:
        """Every version, newest first, with its source."""
        county = county_of(current_actor().region_code)
        with runtime().reader() as uow:
            standards = list_standards(uow.session, county)
            parameters = list_parameters(uow.session, county)
        return self.render(
            "ui/policy.html",
            county=county,
            standards=standards,
            parameters=parameters,
            specs=SPECS,
            area_types=[a.value for a in AreaType],
            yuan=fen_to_yuan,
            categories=[c.value for c in StandardCategory],
        )

    @expose("/standards", methods=["POST"])
    @shows_domain_errors
    def add_standard(self) -> Response:
        """A new standard version from its effective date on."""
        form = request.form
        new = NewStandard(
            county_code=county_of(current_actor().region_code),
            area_type=form.get("area_type", ""),
            category=form.get("category", ""),
            monthly_yuan=_decimal(form.get("monthly_yuan", ""), "monthly_yuan"),
            effective_from=_date(form.get("effective_from", ""), "effective_from"),
            source=form.get("source", "").strip(),
        )
        set_standard(runtime().uow(), current_actor(), new)
        flash(gettext("Standard saved."), "success")
        return redirect(url_for(".index"))

    @expose("/parameters", methods=["POST"])
    @shows_domain_errors
    def add_parameter(self) -> Response:
        """A new parameter version from its effective date on."""
        form = request.form
        new = NewParameter(
            county_code=county_of(current_actor().region_code),
            name=form.get("name", ""),
            value=form.get("value", "").strip(),
            effective_from=_date(form.get("effective_from", ""), "effective_from"),
            source=form.get("source", "").strip(),
        )
        set_parameter(runtime().uow(), current_actor(), new)
        flash(gettext("Parameter saved."), "success")
        return redirect(url_for(".index"))


class OfficialsView(Restricted, BaseView):  # type: ignore[misc]
    """The registry of case officers and village cadres with their declared relatives."""

    roles = ADMINS

    @expose("/")
    @shows_domain_errors
    def index(self) -> str:
        """The region's officials, paged; ID numbers are shown to administrators who keep them."""
        page = page_arg()
        with runtime().reader() as uow:
            actor = current_actor()
            officials, total = list_officials(
                uow.session, actor.region_code, Disclosure(actor), page=page, per_page=PAGE_SIZE
            )
        return self.render(
            "ui/officials.html",
            officials=officials,
            total=total,
            page=page,
            pages=page_count(total),
        )

    @expose("/template.xlsx")
    def template(self) -> Response:
        """The registry import template: Chinese headers, drop-down lists, a sheet of notes."""
        return template_download("officials")

    @expose("/import", methods=["POST"])
    @shows_domain_errors
    def upload(self) -> Response:
        """Import officials and relatives from CSV or XLSX: every row checked, all or none."""
        filename, data = _upload()
        header, records = read_records(filename, data)
        check_header(header)
        report = import_officials(
            runtime().uow(),
            current_actor(),
            rows_from_records(records),
            file_sha256=hashlib.sha256(data).hexdigest(),
        )
        flash(
            gettext(
                "Officials: %(created)s created, %(updated)s updated, %(unchanged)s unchanged; "
                "relatives: %(rcreated)s created; kinship flags: %(new)s new.",
                created=report.officials_created,
                updated=report.officials_updated,
                unchanged=report.officials_unchanged,
                rcreated=report.relatives_created,
                new=report.flags.new,
            ),
            "success",
        )
        return redirect(url_for(".index"))
