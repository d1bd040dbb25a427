"""API v1: information-check flags (信息核对, Art. 17) resolved on their case."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from admin.api.case_views import case_response
from admin.api.common import route, signed_in
from admin.api.schemas import CaseOut, In
from admin.extensions import runtime
from engine.services.crosschecks import resolve_crosscheck


class ResolveIn(In):
    """How staff resolve an information-check flag, and why."""

    outcome: Literal["explained", "recheck"] = Field(
        description="explained: the record is accounted for; recheck: the case's recheck "
        "falls due today (an enrolled case)"
    )
    reason: str = Field(min_length=1, max_length=2000)
    expected_version: int | None = Field(default=None, ge=1)


@route(
    "/crosschecks/<int:flag_id>/resolve",
    "POST",
    summary="Resolve an information-check flag",
    tag="cases",
    body=ResolveIn,
    responses={200: CaseOut},
    errors=(403, 404, 409, 422),
)
def resolve(flag_id: int, body: ResolveIn) -> tuple[CaseOut, int]:
    """Resolve a flag another department's record raised on a case (clerks, reviewers,
    approvers of the case's region), with a reason; written in the case's trail."""
    actor = signed_in()
    ref = resolve_crosscheck(
        runtime().uow(), actor, flag_id, body.outcome, body.reason, body.expected_version
    )
    return case_response(actor, ref.id), 200
