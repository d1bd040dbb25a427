"""Use cases: each is one unit of work, called by the API, the CLI and the admin UI alike."""

from engine.services import decisions as _decisions  # noqa: F401  (registers trigger effects)
from engine.services import objections as _objections  # noqa: F401  (registers trigger effects)
from engine.services.applications import Application, IncomeInput, MemberInput, PropertyInput
from engine.services.cases import advance, submit_application
from engine.services.data_checks import (
    record_data_check_result,
    request_data_check,
    start_data_check,
)
from engine.services.drafts import update_draft
from engine.services.handoff import hand_off_to_dibao
from engine.services.household_events import (
    MeansChange,
    MemberChange,
    record_change,
    record_death,
    serve_decision,
)
from engine.services.household_members import record_member_joined, record_member_left
from engine.services.investigations import InvestigationInput, record_investigation
from engine.services.objections import (
    DemocraticReviewInput,
    dismiss_objection,
    record_complaint,
    record_democratic_review,
    record_objection,
)
from engine.services.workflow_step import CaseRef

__all__ = [
    "Application",
    "CaseRef",
    "DemocraticReviewInput",
    "IncomeInput",
    "InvestigationInput",
    "MeansChange",
    "MemberChange",
    "MemberInput",
    "PropertyInput",
    "advance",
    "dismiss_objection",
    "hand_off_to_dibao",
    "record_change",
    "record_complaint",
    "record_data_check_result",
    "record_death",
    "record_democratic_review",
    "record_investigation",
    "record_member_joined",
    "record_member_left",
    "record_objection",
    "request_data_check",
    "serve_decision",
    "start_data_check",
    "submit_application",
    "update_draft",
]
