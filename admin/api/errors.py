"""API errors: every failure is JSON ``{"error", "message", "details"}`` with a fitting status."""

from __future__ import annotations

import logging
from decimal import DecimalException
from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from pydantic import ValidationError
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException

from engine.errors import Conflict, DomainError, Forbidden, GuardFailed, InvalidData, NotFound

log = logging.getLogger(__name__)

STATUS: dict[type[DomainError], int] = {
    NotFound: 404,
    Forbidden: 403,
    Conflict: 409,
    InvalidData: 422,
    GuardFailed: 422,
}

HTTP_CODES = {
    400: ("malformed_request", "请求格式错误", "malformed request"),
    401: ("unauthorized", "未登录或令牌无效", "missing or invalid credentials"),
    403: ("forbidden", "无权访问", "forbidden"),
    404: ("not_found", "资源不存在", "not found"),
    405: ("method_not_allowed", "不支持该请求方法", "method not allowed"),
    413: ("payload_too_large", "请求体过大", "request body too large"),
    415: ("unsupported_media_type", "请求须为 JSON", "request body must be JSON"),
    429: ("too_many_requests", "请求过于频繁", "too many requests"),
}


class ApiError(Exception):
    """An error raised by the API layer itself (authentication, body parsing)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        message_en: str,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(message_en)
        self.status = status
        self.code = code
        self.message = message
        self.message_en = message_en
        self.details = details
        self.headers = headers or {}


def lang() -> str:
    """The caller's language: English if they prefer it, else Chinese."""
    best = request.accept_languages.best_match(["zh", "en"], default="zh")
    return "en" if best == "en" else "zh"


def error_response(status: int, code: str, message: str, details: Any = None) -> Response:
    """Build the JSON error response."""
    response = jsonify({"error": code, "message": message, "details": details})
    response.status_code = status
    return response


def validation_details(err: ValidationError, prefix: str = "") -> list[dict[str, Any]]:
    """Turn pydantic's errors into ``[{"field", "code", "message"}]``."""
    out = []
    for item in err.errors(include_url=False, include_input=False):
        field = ".".join(str(part) for part in item["loc"]) or "body"
        out.append(
            {
                "field": f"{prefix}{field}" if prefix else field,
                "code": item["type"],
                "message": item["msg"],
            }
        )
    return out


def domain_status(err: DomainError) -> int:
    """Return the HTTP status for a domain error."""
    for cls, status in STATUS.items():
        if isinstance(err, cls):
            return status
    return 422


def _domain(err: DomainError) -> Response:
    language = lang()
    return error_response(
        domain_status(err),
        err.code,
        err.text(language),
        err.details_for(language),
    )


def _api(err: ApiError) -> Response:
    message = err.message_en if lang() == "en" else err.message
    response = error_response(err.status, err.code, message, err.details)
    response.headers.update(err.headers)
    return response


def http_error(err: HTTPException) -> Response | HTTPException:
    """An HTTP error as JSON under /api/; elsewhere Flask's own page."""
    if not request.path.startswith("/api/"):
        return err
    status = err.code or 500
    code, zh, en = HTTP_CODES.get(status, ("http_error", "请求错误", "request error"))
    response = error_response(status, code, en if lang() == "en" else zh, None)
    if status == 405 and err.valid_methods:  # type: ignore[attr-defined]
        response.headers["Allow"] = ", ".join(err.valid_methods)  # type: ignore[attr-defined]
    return response


def _unexpected(err: Exception) -> Response:
    if isinstance(err, HTTPException):
        return http_error(err)  # type: ignore[return-value]
    log.exception("unhandled error on %s %s", request.method, request.path)
    if not request.path.startswith("/api/"):
        raise err
    return error_response(500, "internal_error", "服务器内部错误，请联系管理员", None)


#: errors a value too large, too small or too long for a column or a calculation raises deep
#: in a library; each field is bounded at the edge, this is the net below those bounds
OUT_OF_RANGE: tuple[type[Exception], ...] = (OverflowError, DecimalException, DataError)


def _out_of_range(err: Exception) -> Response | tuple[str, int]:
    # the message may quote the offending value (personal data): log only its type
    log.warning("value out of range on %s %s: %s", request.method, request.path, type(err).__name__)
    zh, en = "输入的数值、日期或文字超出可处理的范围", "a number, date or text is out of range"
    if request.path.startswith("/api/"):
        return error_response(422, "value_out_of_range", en if lang() == "en" else zh, None)
    return render_template("ui/error.html", message=en if lang() == "en" else zh), 422


def _database_refused(err: OperationalError) -> Response | tuple[str, int]:
    if "pattern too complex" in str(err.orig):  # SQLite: a LIKE pattern beyond its limit
        return _out_of_range(err)
    return _unexpected(err)


def register_error_handlers(app: Flask) -> None:
    """Answer API errors as JSON; pages keep Flask's own error pages."""
    for kind in OUT_OF_RANGE:
        app.register_error_handler(kind, _out_of_range)
    app.register_error_handler(OperationalError, _database_refused)
    app.register_error_handler(DomainError, _domain)
    app.register_error_handler(ApiError, _api)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, _unexpected)
