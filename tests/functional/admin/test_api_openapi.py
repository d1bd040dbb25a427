"""The OpenAPI document: valid 3.1, generated from the models that validate requests."""

from __future__ import annotations

from flask.testing import FlaskClient
from openapi_spec_validator import validate

from admin.api.schemas import CaseCreate, TransitionIn

CONTRACT = {
    ("/api/v1/regions", "get"),
    ("/api/v1/auth/token", "post"),
    ("/api/v1/cases", "post"),
    ("/api/v1/cases", "get"),
    ("/api/v1/cases/{case_id}", "get"),
    ("/api/v1/cases/{case_id}/investigations", "post"),
    ("/api/v1/cases/{case_id}/transitions", "post"),
    ("/api/v1/cases/{case_id}/audit", "get"),
}


def test_the_document_is_valid_openapi_and_needs_no_token(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.json
    assert doc is not None and doc["openapi"].startswith("3.1")
    validate(doc)


def test_every_contract_operation_is_documented_with_its_errors(client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").json
    assert doc is not None
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    assert documented >= CONTRACT
    transitions = doc["paths"]["/api/v1/cases/{case_id}/transitions"]["post"]
    assert set(transitions["responses"]) >= {"200", "400", "401", "403", "404", "409", "413", "422"}


def test_request_schemas_are_the_validating_models(client: FlaskClient) -> None:
    doc = client.get("/api/v1/openapi.json").json
    assert doc is not None
    schemas = doc["components"]["schemas"]
    assert set(schemas["CaseCreate"]["required"]) == {
        name for name, f in CaseCreate.model_fields.items() if f.is_required()
    }
    assert schemas["TransitionIn"]["additionalProperties"] is False
    assert set(schemas["TransitionIn"]["properties"]) == set(TransitionIn.model_fields)
    relation = schemas["MemberIn"]["properties"]["relation"]
    assert relation["enum"] == [
        "self",
        "spouse",
        "child",
        "parent",
        "sibling",
        "grandparent",
        "grandchild",
        "other",
    ]
