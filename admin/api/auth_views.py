"""API v1: the OpenAPI document, tokens, the signed-in user and regions."""

from __future__ import annotations

from flask import jsonify
from flask.typing import ResponseReturnValue

from admin.api import bp, spec
from admin.api.common import bearer_token, route, signed_in
from admin.api.errors import ApiError
from admin.api.schemas import RegionList, RegionOut, TokenOut, TokenRequest, UserOut
from admin.api.spec import endpoint
from admin.extensions import client_address, runtime
from audit.signin import SignInRefused, sign_in
from engine import queries
from engine.services.users import issue_token, revoke_token


@bp.get("/openapi.json")
def openapi_document() -> ResponseReturnValue:
    """The OpenAPI 3.1 document of this API, generated from the request and response models.

    Its server is the configured public address, never the request's Host header.
    """
    return jsonify(spec.document(server_url=runtime().settings.public_url))


@endpoint(
    bp,
    spec,
    "/auth/token",
    "POST",
    summary="Get a bearer token",
    tag="auth",
    body=TokenRequest,
    responses={200: TokenOut},
    errors=(401, 403, 429),
    auth=False,
)
def create_token(body: TokenRequest) -> tuple[TokenOut, int]:
    """Exchange a username and password for a bearer token. 401 if they do not match; 429 with
    ``Retry-After`` while failures on the user name or the address slow attempts down (1, 2,
    4 ... seconds); 403 ``account_locked`` once an account is locked. Every attempt is recorded."""
    rt = runtime()
    try:
        actor = sign_in(
            rt.uow(), body.username, body.password, client_address(), "api", rt.sign_in_limits
        )
    except SignInRefused as err:
        if err.code == "bad_credentials":
            raise ApiError(
                401, "invalid_credentials", "用户名或密码错误", "wrong username or password"
            ) from None
        if err.retry_after is None:
            raise ApiError(403, err.code, err.message, err.message_en) from None
        raise ApiError(
            429,
            err.code,
            err.message,
            err.message_en,
            headers={"Retry-After": str(err.retry_after)},
        ) from None
    token = issue_token(rt.uow(), actor, rt.token_ttl)
    return (
        TokenOut(
            token=token,
            expires_at=rt.clock.now() + rt.token_ttl,
            user=UserOut(username=actor.username, role=actor.role, region_code=actor.region_code),
        ),
        200,
    )


@route("/auth/token", "DELETE", summary="Revoke this token", tag="auth", responses={204: None})
def delete_token() -> tuple[None, int]:
    """Revoke the bearer token used for this request."""
    token = bearer_token()
    assert token is not None
    revoke_token(runtime().uow(), token)
    return None, 204


@route("/me", "GET", summary="Who am I", tag="auth", responses={200: UserOut})
def me() -> tuple[UserOut, int]:
    """Return the signed-in user."""
    a = signed_in()
    return UserOut(username=a.username, role=a.role, region_code=a.region_code), 200


@route("/regions", "GET", summary="List regions", tag="regions", responses={200: RegionList})
def regions() -> tuple[RegionList, int]:
    """Every county, township and village, with administrative codes and area type."""
    with runtime().reader() as uow:
        items = [
            RegionOut(
                code=r.code,
                name=r.name,
                parent_code=r.parent_code,
                level=str(r.level),
                area_type=str(r.area_type),
            )
            for r in queries.list_regions(uow.session)
        ]
    return RegionList(items=items), 200
