"""API v1: one trigger fired on several cases, each through the same service as one case."""

from __future__ import annotations

from admin.api.common import route, signed_in
from admin.api.errors import lang
from admin.api.schemas import BatchIn, BatchItemOut, BatchOut, ProblemOut
from admin.extensions import runtime
from engine.services.batch import CaseOutcome, decide_batch


def _item(o: CaseOutcome, language: str) -> BatchItemOut:
    if o.done:
        return BatchItemOut(case_id=o.case_id, outcome="done", state=o.state, version=o.version)
    return BatchItemOut(
        case_id=o.case_id,
        outcome="refused",
        error=o.code,
        message=o.text(language),
        details=[
            ProblemOut(code=p.code, message=p.message_en if language == "en" else p.message)
            for p in o.problems
        ],
    )


@route(
    "/cases/batch",
    "POST",
    summary="Fire one trigger on several cases",
    tag="cases",
    body=BatchIn,
    responses={200: BatchOut},
    errors=(403,),
)
def fire_batch(body: BatchIn) -> tuple[BatchOut, int]:
    """Fire ``approve`` (approver) or ``confirm_unchanged`` (reviewer) on each case, one
    transaction and one audit entry per case, each with its own guards and version check.
    A refused case (guard, state, stale version, region, recusal) is reported in its item
    and the others go on. 403 when the role may not fire the trigger; 422 for another
    trigger, an empty selection, more cases than a batch may hold, or a bad reason
    (nothing is done)."""
    result = decide_batch(
        runtime().uow,
        signed_in(),
        body.trigger,
        body.case_ids,
        reason=body.reason,
        expected_versions=body.expected_versions,
    )
    language = lang()
    return (
        BatchOut(
            trigger=result.trigger,
            done=result.done,
            refused=result.refused,
            items=[_item(o, language) for o in result.outcomes],
        ),
        200,
    )
