"""Routes declared with their schemas: the same pydantic models validate and document.

``endpoint`` registers a view on the blueprint and records its operation for
the OpenAPI 3.1 document served at ``/api/v1/openapi.json``. Request bodies
and query strings are parsed with the declared models before the view runs;
responses are dumped through the declared response model.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from flask import Blueprint, Response, g, jsonify, request
from pydantic import BaseModel, ValidationError
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from admin.api.errors import ApiError, lang, validation_details
from engine.errors import Problem
from engine.inputs import MAX_BODY_DEPTH, json_problems, text_problem

REF = "#/components/schemas/{model}"
M = TypeVar("M", bound=BaseModel)


@dataclass
class Operation:
    """One documented API operation."""

    path: str
    method: str
    summary: str
    description: str
    tag: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    responses: dict[int, type[BaseModel] | None]
    auth: bool
    errors: tuple[int, ...] = ()
    #: (name, JSON schema type) of each path parameter
    path_params: list[tuple[str, str]] = field(default_factory=list)
    #: what a successful response holds: JSON (the response model) or a file such as a PDF
    media_type: str = "application/json"


class ApiSpec:
    """Collects operations and renders the OpenAPI document."""

    def __init__(self, title: str, version: str, description: str) -> None:
        self.title = title
        self.version = version
        self.description = description
        self.operations: list[Operation] = []

    def document(self, server_url: str = "/") -> dict[str, Any]:
        """Return the OpenAPI 3.1 document."""
        inputs: set[type[BaseModel]] = set()
        outputs: set[type[BaseModel]] = {ErrorBody}
        for op in self.operations:
            inputs.update(m for m in (op.body, op.query) if m is not None)
            outputs.update(m for m in op.responses.values() if m is not None)
        wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = [
            *((m, "validation") for m in sorted(inputs, key=lambda m: m.__name__)),
            *((m, "serialization") for m in sorted(outputs, key=lambda m: m.__name__)),
        ]
        refs, top = models_json_schema(wanted, ref_template=REF)
        paths: dict[str, dict[str, Any]] = {}
        for op in self.operations:
            paths.setdefault(op.path, {})[op.method.lower()] = self._operation(op, refs)
        return {
            "openapi": "3.1.0",
            "info": {"title": self.title, "version": self.version, "description": self.description},
            "servers": [{"url": server_url}],
            "paths": paths,
            "components": {
                "schemas": top.get("$defs", {}),
                "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            },
        }

    def _operation(self, op: Operation, refs: dict[Any, Any]) -> dict[str, Any]:
        params: list[dict[str, Any]] = [
            {"name": name, "in": "path", "required": True, "schema": {"type": kind}}
            for name, kind in op.path_params
        ]
        if op.query is not None:
            schema = op.query.model_json_schema(ref_template=REF)
            required = set(schema.get("required", []))
            for name, prop in schema.get("properties", {}).items():
                params.append(
                    {
                        "name": name,
                        "in": "query",
                        "required": name in required,
                        "description": prop.get("description", ""),
                        "schema": {k: v for k, v in prop.items() if k != "description"},
                    }
                )
        responses: dict[str, Any] = {}
        for status, model in op.responses.items():
            entry: dict[str, Any] = {"description": _STATUS_TEXT.get(status, "OK")}
            if model is not None:
                entry["content"] = {"application/json": {"schema": refs[(model, "serialization")]}}
            elif op.media_type != "application/json" and status < 300:
                binary = {"type": "string", "contentMediaType": op.media_type}
                entry["content"] = {op.media_type: {"schema": binary}}
            responses[str(status)] = entry
        # every answer an operation can give is documented: 422 for a field the edge refuses
        # (any query or path parameter can be), 400/413 for a body, 401/403 once signed in,
        # 404 for an id that names nothing
        error_statuses = set(op.errors) | {422}
        if op.body:
            error_statuses |= {400, 413}
        if op.auth:
            error_statuses |= {401, 403}
        if op.path_params:
            error_statuses.add(404)
        for status in sorted(error_statuses):
            responses[str(status)] = {
                "description": _STATUS_TEXT.get(status, "error"),
                "content": {"application/json": {"schema": refs[(ErrorBody, "serialization")]}},
            }
        op_id = re.sub(r"[^a-z0-9]+", "_", f"{op.method} {op.path}".lower()).strip("_")
        out: dict[str, Any] = {
            "summary": op.summary,
            "description": op.description,
            "tags": [op.tag],
            "operationId": op_id,
            "parameters": params,
            "responses": responses,
            "security": [{"bearer": []}] if op.auth else [],
        }
        if op.body is not None:
            out["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": refs[(op.body, "validation")]}},
            }
        return out


class ErrorBody(BaseModel):
    """Every API error: a stable English code, a message and details (e.g. each invalid field)."""

    error: str
    message: str
    details: Any = None


_STATUS_TEXT = {
    200: "OK",
    201: "Created",
    204: "No content",
    400: "Malformed JSON",
    401: "Missing, invalid or expired token",
    403: "Role, region or recusal forbids it",
    404: "Not found",
    409: "Conflicts with the current state or version",
    413: "Request body too large",
    422: "Invalid field or failed guard; details name each",
    429: "Too many failed attempts: wait Retry-After seconds",
}


def _openapi_path(rule: str) -> tuple[str, list[tuple[str, str]]]:
    params = [
        (name, "integer" if converter == "int" else "string")
        for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule)
    ]
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule), params


def read_json_body() -> Any:
    """Parse the request body as JSON: 413 when too large, 400 when malformed, 422 when unclean.

    Every string is checked (no control characters, bidirectional overrides or
    invisible-only text) and the nesting is bounded before any model sees it.
    """
    raw = request.get_data(cache=True)  # raises 413 past MAX_CONTENT_LENGTH
    if not raw.strip():
        raise ApiError(400, "malformed_json", "请求体为空，须为 JSON", "request body is empty")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise ApiError(
            400, "malformed_json", "请求体不是合法的 JSON", "request body is not valid JSON"
        ) from None
    refuse_unclean(json_problems(body, "", MAX_BODY_DEPTH))
    return body


def refuse_unclean(problems: list[Problem]) -> None:
    """Answer 422 naming each field that holds hidden characters or nests too deep."""
    if problems:
        fields = ", ".join(p.field or "?" for p in problems)
        raise ApiError(
            422,
            "invalid",
            f"输入有误：{fields}",
            f"invalid input: {fields}",
            [p.as_dict("en" if lang() == "en" else "zh") for p in problems],
        )


def request_problems() -> list[Problem]:
    """Hidden characters in the query string or the path's parameters."""
    problems = [text_problem(v, k) for k, v in request.args.items(multi=True)]
    problems += [
        text_problem(v, k) for k, v in (request.view_args or {}).items() if isinstance(v, str)
    ]
    return [p for p in problems if p is not None]


def parse_model(model: type[M], data: Any, prefix: str = "") -> M:
    """Validate ``data`` against ``model`` or raise a 422 naming each invalid field."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        details = validation_details(err, prefix)
        fields = ", ".join(d["field"] for d in details)
        raise ApiError(
            422, "invalid", f"输入有误：{fields}", f"invalid input: {fields}", details
        ) from None


def json_response(model: BaseModel | None, status: int) -> Response:
    """Serialise a response model."""
    if model is None:
        response = Response(status=status)
        return response
    response = jsonify(model.model_dump(mode="json"))
    response.status_code = status
    return response


def endpoint(
    bp: Blueprint,
    spec: ApiSpec,
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    responses: dict[int, type[BaseModel] | None],
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    auth: bool = True,
    errors: tuple[int, ...] = (),
    authenticate: Callable[[], Any] | None = None,
    media_type: str = "application/json",
) -> Callable[[Callable[..., tuple[BaseModel | Response | None, int]]], Callable[..., Response]]:
    """Register an API view with its request and response models.

    A view whose ``media_type`` is not JSON (a PDF) returns its own Response.
    """

    def decorate(
        view: Callable[..., tuple[BaseModel | Response | None, int]],
    ) -> Callable[..., Response]:
        path, names = _openapi_path(bp.url_prefix + rule if bp.url_prefix else rule)
        spec.operations.append(
            Operation(
                path=path,
                method=method,
                summary=summary,
                description=(view.__doc__ or "").strip(),
                tag=tag,
                body=body,
                query=query,
                responses=responses,
                auth=auth,
                errors=errors,
                path_params=names,
                media_type=media_type,
            )
        )

        @wraps(view)
        def handle(**kwargs: Any) -> Response:
            refuse_unclean(request_problems())
            if auth and authenticate is not None:
                g.actor = authenticate()
            if body is not None:
                kwargs["body"] = parse_model(body, read_json_body())
            if query is not None:
                kwargs["query"] = parse_model(query, request.args.to_dict())
            model, status = view(**kwargs)
            if isinstance(model, Response):
                model.status_code = status
                return model
            return json_response(model, status)

        bp.add_url_rule(rule, endpoint=view.__name__, view_func=handle, methods=[method])
        return handle

    return decorate
