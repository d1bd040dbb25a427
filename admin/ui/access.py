"""Who may open which page: the signed-in user, their role and their region."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import UserMixin, current_user
from werkzeug.wrappers import Response

from admin.ui.i18n import error_text, problem_text
from engine.errors import DomainError, Forbidden, NotFound
from engine.ports import Actor
from engine.states import Role

F = TypeVar("F", bound=Callable[..., Any])
STAFF = frozenset({Role.CLERK, Role.REVIEWER, Role.APPROVER})
#: who works a queue: the staff, and village coordinators with the drafts they registered
WORKERS = frozenset({*STAFF, Role.COORDINATOR})
READERS = frozenset({*WORKERS, Role.INSPECTOR})


class UiUser(UserMixin):  # type: ignore[misc]
    """The signed-in user as Flask-Login sees them."""

    def __init__(self, actor: Actor, generation: int, display_name: str = "") -> None:
        self.actor = actor
        self.generation = generation
        self.display_name = display_name or actor.username

    def get_id(self) -> str:
        """The session key: the user's id and session generation ("17.3").

        The generation changes at sign-out, password reset and deactivation, so
        a session issued before is refused on its next request.
        """
        return f"{self.actor.user_id}.{self.generation}"


def current_actor() -> Actor:
    """The signed-in user's actor (views check ``is_accessible`` first)."""
    return cast(UiUser, current_user).actor


def signed_in_with(roles: frozenset[Role]) -> bool:
    """Whether someone is signed in with one of these roles."""
    return bool(current_user.is_authenticated) and current_actor().role in roles


class Restricted:
    """Mixin for Flask-Admin views: open only to the listed roles, checked on every request."""

    roles: frozenset[Role] = frozenset()

    def is_accessible(self) -> bool:
        """Whether the signed-in user's role may open this view."""
        return signed_in_with(self.roles)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Response:
        """Send strangers to the sign-in page; answer 403 to the wrong role."""
        if not current_user.is_authenticated:
            return redirect(url_for("ui_auth.signin", next=request.full_path))
        abort(403)


def local_path(target: str | None) -> str | None:
    """``target`` when it is a path of this site, else None (no open redirect).

    Browsers and Werkzeug drop tabs and line breaks from a location and read
    a backslash as a slash, so ``/\t/evil.example`` or ``/\\evil.example`` would
    leave the site: any control character or backslash refuses the target,
    and what remains must have no scheme or host and start with one slash.
    """
    if not target or any(ord(c) < 0x20 or ord(c) == 0x7F or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith("//"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def back(default: str) -> str:
    """Where to return after a form: the same site's page that sent it, else ``default``."""
    return local_path(request.form.get("next")) or default


def referring_page() -> str:
    """The page on this site the form was sent from (the start page if unknown)."""
    parts = urlsplit(request.referrer or "")
    page = parts.path + (f"?{parts.query}" if parts.query else "")
    return (parts.netloc == request.host and local_path(page)) or url_for("admin.index")


def shows_domain_errors(view: F) -> F:
    """Turn a domain refusal into a page: flashed problems for forms, 403/404 pages otherwise."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except (NotFound, Forbidden) as err:
            status = 404 if isinstance(err, NotFound) else 403
            return render_template("ui/error.html", message=error_text(err)), status
        except DomainError as err:
            if request.method != "POST":
                return render_template("ui/error.html", message=error_text(err)), 422
            flash(error_text(err), "error")
            for problem in err.problems:
                flash(problem_text(problem), "error")
            # back to the form's page, where the messages show next to what was typed
            return redirect(back(referring_page()))

    return cast(F, wrapper)
