"""The API fuzzed from its own OpenAPI document (schemathesis), as every role.

For each operation, bounded examples of valid and invalid requests: no answer
is a 5xx, every status code is one the document lists for the operation, and
every body and content type matches what the document says.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from engine.states import CaseState
from tests.support import World

Auth = Callable[[str], dict[str, str]]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 10


@pytest.fixture
def backend() -> str:
    """The API's edge is the same on both databases; the fuzz runs on SQLite."""
    return "sqlite"


@pytest.mark.slow
@pytest.mark.parametrize("role", ["clerk", "reviewer", "approver", "inspector", "admin"])
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_operation_answers_outside_its_document(
    app: Flask, auth: Auth, world: World, role: str, mode: GenerationMode
) -> None:
    active = world.apply()
    world.to_state(active, CaseState.ACTIVE)
    world.apply()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = auth(role)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 25
    for operation in operations:

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def exercise(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS)

        exercise()
