"""What every API view needs: the signed-in actor and the route decorator."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, g, request
from pydantic import BaseModel

from admin.api import bp, spec
from admin.api.errors import ApiError
from admin.api.spec import endpoint
from admin.extensions import runtime
from engine.ports import Actor
from engine.services.users import actor_for_token


def bearer_token() -> str | None:
    """The request's bearer token, if any."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_actor() -> Actor:
    """Authenticate the request's bearer token or answer 401."""
    token = bearer_token()
    actor = actor_for_token(runtime().reader(), token) if token else None
    if actor is None:
        raise ApiError(
            401,
            "unauthorized",
            "未登录或令牌无效/已过期：请先调用 POST /api/v1/auth/token",
            "missing, invalid or expired bearer token: get one from POST /api/v1/auth/token",
        )
    return actor


def signed_in() -> Actor:
    """The actor authenticated for this request."""
    actor: Actor = g.actor
    return actor


def route(
    rule: str, method: str, **kwargs: Any
) -> Callable[[Callable[..., tuple[BaseModel | Response | None, int]]], Callable[..., Any]]:
    """Register an authenticated API view (see ``admin.api.spec.endpoint``)."""
    return endpoint(bp, spec, rule, method, authenticate=current_actor, **kwargs)
