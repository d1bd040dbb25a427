"""Use cases: each is one unit of work, called by the API, the CLI and the admin UI alike."""

from engine.services import decisions as _decisions  # noqa: F401  (registers trigger effects)
from engine.services import objections as _objections  # noqa: F401  (registers trigger effects)
from engine.services.cases import Application, MemberInput, advance, submit_application
from engine.services.investigations import InvestigationInput, record_investigation
from engine.services.objections import dismiss_objection, record_objection
from engine.services.workflow_step import CaseRef

__all__ = [
    "Application",
    "CaseRef",
    "InvestigationInput",
    "MemberInput",
    "advance",
    "dismiss_objection",
    "record_investigation",
    "record_objection",
    "submit_application",
]
