"""Signing in and out of the UI, and choosing its language."""

from __future__ import annotations

import re

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from admin.extensions import client_address, runtime
from admin.ui.access import UiUser, back, current_actor, local_path
from admin.ui.i18n import LANGUAGES, error_text
from audit.signin import SignInRefused, record_sign_out, sign_in
from engine.services.users import session_generation, session_user

bp = Blueprint("ui_auth", __name__, url_prefix="/ui")
login_manager = LoginManager()


class SignInForm(FlaskForm):  # type: ignore[misc]
    """User name and password."""

    username = StringField("username", validators=[DataRequired(), Length(max=64)])
    password = PasswordField("password", validators=[DataRequired(), Length(max=200)])


SESSION_KEY = re.compile(r"([0-9]{1,18})\.([0-9]{1,18})")


@login_manager.user_loader  # type: ignore[untyped-decorator]
def load_user(key: str) -> UiUser | None:
    """The session's user, while their account stays active and the session current."""
    found = SESSION_KEY.fullmatch(key)
    if found is None:
        return None
    user_id, generation = int(found.group(1)), int(found.group(2))
    loaded = session_user(runtime().reader(), user_id, generation)
    if loaded is None:
        return None
    actor, display_name = loaded
    return UiUser(actor, generation, display_name)


@bp.route("/signin", methods=["GET", "POST"])
def signin() -> ResponseReturnValue:
    """The sign-in form; every attempt is recorded and failures are limited."""
    form = SignInForm()
    if form.validate_on_submit():
        rt = runtime()
        try:
            actor = sign_in(
                rt.uow(),
                form.username.data,
                form.password.data,
                client_address(),
                "ui",
                rt.sign_in_limits,
            )
        except SignInRefused as err:
            flash(error_text(err), "error")
            return render_template("ui/signin.html", form=form), 401
        session.clear()  # a fresh session for the new user (no fixation)
        login_user(UiUser(actor, session_generation(rt.reader(), actor.user_id)))
        return redirect(local_path(request.args.get("next")) or url_for("admin.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("ui/signin.html", form=form), status


@bp.post("/signout")
def signout() -> ResponseReturnValue:
    """Sign out (a POST with the CSRF token, never a link)."""
    if current_user.is_authenticated:
        record_sign_out(runtime().uow(), current_actor(), client_address(), "ui")
        lang = session.get("lang")
        logout_user()
        session.clear()
        if lang:
            session["lang"] = lang
    flash(gettext("You have signed out."), "info")
    return redirect(url_for("ui_auth.signin"))


@bp.post("/language")
def language() -> ResponseReturnValue:
    """Switch the UI's language for this session."""
    chosen = request.form.get("lang", "")
    if chosen in LANGUAGES:
        session["lang"] = chosen
    return redirect(back(url_for("admin.index")))


def register_auth(app: Flask) -> None:
    """Sessions for the UI: Flask-Login and the sign-in pages."""
    login_manager.init_app(app)
    login_manager.login_view = "ui_auth.signin"
    login_manager.session_protection = "basic"
    app.register_blueprint(bp)
