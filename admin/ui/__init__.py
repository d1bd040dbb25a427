"""The admin UI: Flask-Admin workspaces for staff, inspectors and administrators.

``register_ui`` adds, in order: the language catalogues (Flask-Babel), CSRF
protection for every form (Flask-WTF; the bearer-token API is exempt),
sessions (Flask-Login) and the Flask-Admin views, each open only to its roles.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template, request
from flask.typing import ResponseReturnValue
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import Babel, get_locale, gettext, lazy_gettext
from flask_wtf import CSRFProtect
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm import Session, scoped_session
from werkzeug.exceptions import HTTPException

from admin.api import bp as api_blueprint
from admin.api.errors import http_error
from admin.extensions import KEY, runtime
from admin.runtime import Runtime
from admin.security import csp_nonce
from admin.ui.administration import OfficialsView, PolicyView, RegionsView, UsersView
from admin.ui.application import ApplicationView
from admin.ui.auth import login_manager, register_auth
from admin.ui.case_page import CaseView
from admin.ui.home import HomeView
from admin.ui.i18n import (
    LANGUAGES,
    amount_section,
    breakdown_label,
    category_label,
    deadline_label,
    document_label,
    problem_text,
    role_label,
    select_locale,
    state_label,
    trigger_label,
    value_label,
)
from admin.ui.inspector import (
    AccessLogView,
    ActivityView,
    AuditTrailView,
    EnrolledFlagsView,
    FlagsView,
    IndicatorsView,
    RegisterView,
    SignInLogView,
    VerificationView,
)
from admin.ui.monitoring import MonitoringView
from admin.ui.queue import WorkQueueView
from audit.models import AccessLog, AuditEntry, SignInEvent
from engine.inputs import text_problem

csrf = CSRFProtect()


class AdminSessions(scoped_session[Session]):
    """Per-request reading sessions, shaped like the ``db`` object Flask-Admin 2.2 expects.

    Flask-Admin deprecates being handed a bare session and asks for a
    Flask-SQLAlchemy-like object with a ``session`` attribute; doudi has no
    such extension, so the scoped session answers for it itself.
    """

    @property
    def session(self) -> AdminSessions:
        """This scoped session (what ``db.session`` is to Flask-Admin)."""
        return self


def runtime_of(app: Flask) -> Runtime:
    """The app's runtime, outside a request."""
    rt: Runtime = app.extensions[KEY]
    return rt


def _template_helpers() -> dict[str, Any]:
    return {
        "tz": runtime().clock.tz,
        "languages": LANGUAGES,
        "current_locale": str(get_locale() or select_locale()),
        "state_label": state_label,
        "trigger_label": trigger_label,
        "role_label": role_label,
        "category_label": category_label,
        "deadline_label": deadline_label,
        "document_label": document_label,
        "value_label": value_label,
        "breakdown_label": breakdown_label,
        "amount_section": amount_section,
    }


UI_PREFIXES = ("/admin", "/ui")
#: what a refused request is told on a UI page, by status
UI_ERRORS = {
    400: lazy_gettext("The request could not be understood."),
    403: lazy_gettext("Your role or region does not allow this page."),
    404: lazy_gettext("There is no such page or record."),
    405: lazy_gettext("This page cannot be used that way."),
    413: lazy_gettext("What was sent is too large: attach fewer or smaller files."),
}


def _ui_error(err: HTTPException) -> ResponseReturnValue:
    """Refusals on UI pages as a page in the UI's language; elsewhere as before."""
    if not request.path.startswith(UI_PREFIXES):
        return http_error(err)
    status = err.code or 500
    message = UI_ERRORS.get(status, err.description)
    return render_template("ui/error.html", message=message), status


def _csrf_refused(err: CSRFError) -> ResponseReturnValue:
    """A form sent without its token, or after it expired: say so, and how to go on."""
    if not request.path.startswith(UI_PREFIXES):
        return http_error(err)
    message = gettext(
        "The form has expired or did not come from this site; reload the page and try again."
    )
    return render_template("ui/error.html", message=message), 400


def _refuse_hidden_text() -> ResponseReturnValue | None:
    """Refuse, before any view runs, a UI request whose fields hide characters (422)."""
    if not request.path.startswith(UI_PREFIXES):
        return None
    fields = [*request.args.items(multi=True), *request.form.items(multi=True)]
    for name, value in fields:
        problem = text_problem(value, name)
        if problem is not None:
            return render_template("ui/error.html", message=problem_text(problem)), 422
    return None


def register_ui(app: Flask) -> None:
    """Register the UI on the app."""
    Babel(app, locale_selector=select_locale)
    app.before_request(_refuse_hidden_text)
    csrf.init_app(app)
    csrf.exempt(api_blueprint)
    app.register_error_handler(CSRFError, _csrf_refused)
    for status in UI_ERRORS:
        app.register_error_handler(status, _ui_error)
    register_auth(app)
    login_manager.login_message = lazy_gettext("Please sign in.")
    app.context_processor(_template_helpers)
    admin = Admin(
        app,
        name="doudi",
        url="/admin",
        index_view=HomeView(url="/admin"),
        theme=Bootstrap4Theme(base_template="ui/master.html", swatch="flatly", fluid=True),
        csp_nonce_generator=csp_nonce,
    )
    admin.add_view(WorkQueueView(name=lazy_gettext("Work queue"), endpoint="queue"))
    admin.add_view(ApplicationView(name=lazy_gettext("New application"), endpoint="apply"))
    admin.add_view(CaseView(name=lazy_gettext("Case"), endpoint="case"))
    admin.add_view(MonitoringView(name=lazy_gettext("Monitoring warnings"), endpoint="monitoring"))
    sessions = AdminSessions(runtime_of(app).read_sessions)
    app.teardown_appcontext(lambda exc: sessions.remove())
    add_inspector_views(admin, sessions)
    add_admin_views(admin)


def add_admin_views(admin: Admin) -> None:
    """The administrator's workspace: accounts, regions, local policy, the officials registry."""
    administration = lazy_gettext("Administration")
    admin.add_view(UsersView(name=lazy_gettext("Users"), endpoint="users", category=administration))
    admin.add_view(
        RegionsView(name=lazy_gettext("Regions"), endpoint="regions", category=administration)
    )
    admin.add_view(
        PolicyView(
            name=lazy_gettext("Standards and parameters"),
            endpoint="policy",
            category=administration,
        )
    )
    admin.add_view(
        OfficialsView(
            name=lazy_gettext("Officials registry"), endpoint="officials", category=administration
        )
    )


def add_inspector_views(admin: Admin, sessions: AdminSessions) -> None:
    """The inspector's workspace (kinship lists are open to approvers and admins too)."""
    inspection = lazy_gettext("Inspection")
    admin.add_view(
        AuditTrailView(
            AuditEntry,
            sessions,
            name=lazy_gettext("Audit trail"),
            endpoint="trail",
            category=inspection,
        )
    )
    admin.add_view(
        VerificationView(
            name=lazy_gettext("Chain verification"), endpoint="verify", category=inspection
        )
    )
    admin.add_view(
        FlagsView(name=lazy_gettext("Kinship flags"), endpoint="flags", category=inspection)
    )
    admin.add_view(
        IndicatorsView(
            name=lazy_gettext("Favouritism indicators"), endpoint="indicators", category=inspection
        )
    )
    admin.add_view(
        RegisterView(name=lazy_gettext("Filing register"), endpoint="register", category=inspection)
    )
    admin.add_view(
        EnrolledFlagsView(
            name=lazy_gettext("Enrolled relatives"), endpoint="enrolled_flags", category=inspection
        )
    )
    admin.add_view(
        AccessLogView(
            AccessLog,
            sessions,
            name=lazy_gettext("Personal data reads"),
            endpoint="reads",
            category=inspection,
        )
    )
    admin.add_view(
        SignInLogView(
            SignInEvent,
            sessions,
            name=lazy_gettext("Sign-ins"),
            endpoint="signins",
            category=inspection,
        )
    )
    admin.add_view(
        ActivityView(
            name=lazy_gettext("Activity by user"), endpoint="activity", category=inspection
        )
    )
