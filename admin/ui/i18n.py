"""Language: zh_CN by default, English selectable; labels of states, triggers and roles.

Every label shown goes through the Flask-Babel catalogue. The lifecycle's
English labels in ``engine.states`` are the message ids; ``babel.cfg``
extracts them with ``workflow_labels`` below, so a new state or trigger
shows up in the catalogue to be translated like any other text.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import session
from flask_babel import gettext, lazy_gettext

from audit.relations import LABELS as KIN_LABELS
from audit.relations import SELF as SELF_RELATION
from engine.deadlines import EXTENSION_GROUNDS
from engine.deadlines import OTHER_LABELS as OTHER_DEADLINE_LABELS
from engine.deadlines import SPECS as DEADLINE_SPECS
from engine.errors import DomainError, Problem
from engine.rules import TEKUN_TERMINATION_GROUNDS
from engine.states import ROLE_LABELS, STATE_LABELS, TRANSITIONS, CaseState, Role

#: locale -> its name in itself; Flask-Admin's own catalogue is called zh_Hans_CN
LANGUAGES = {"zh_Hans_CN": "中文", "en": "English"}
DEFAULT_LOCALE = "zh_Hans_CN"
_TRIGGER_LABELS = {rule.trigger: rule.label_en for rule in TRANSITIONS}

CATEGORY_LABELS = {
    "dibao": lazy_gettext("Minimum living guarantee"),
    "single_person": lazy_gettext("Single-person coverage"),
    "tekun": lazy_gettext("Extreme-poverty support"),
}

_l = lazy_gettext
#: names of stored values shown on pages (kind -> value -> label)
VALUE_LABELS: dict[str, dict[str, Any]] = {
    "relation": {
        "self": _l("Applicant"),
        "spouse": _l("Spouse"),
        "child": _l("Child"),
        "parent": _l("Parent"),
        "sibling": _l("Sibling"),
        "grandparent": _l("Grandparent"),
        "grandchild": _l("Grandchild"),
        "other": _l("Other relative"),
    },
    "method": {
        "home_visit": _l("Home visit"),
        "neighbour_interview": _l("Neighbour interviews"),
        "letter": _l("Letters of evidence"),
        "data_check": _l("Information check"),
    },
    "level": {"township": _l("Township"), "county": _l("County")},
    "deadline_status": {
        "pending": _l("Pending"),
        "met": _l("Met"),
        "missed": _l("Missed"),
        "stopped": _l("Stopped"),
        "info": _l("For information"),
    },
    "objection_status": {
        "open": _l("Open"),
        "reinvestigated": _l("Re-investigated"),
        "dismissed": _l("Dismissed"),
    },
    "position": {
        "county_officer": _l("County case officer"),
        "township_officer": _l("Township case officer"),
        "village_director": _l("Village committee director"),
        "village_deputy": _l("Village committee deputy director"),
        "village_member": _l("Village committee member"),
    },
}

#: the steps of the procedure the favouritism indicators group triggers into
VALUE_LABELS["step"] = {
    "intake": _l("intake"),
    "investigation": _l("investigation"),
    "review": _l("initial review"),
    "notice": _l("public notice"),
    "decision": _l("decision"),
}
VALUE_LABELS["income_type"] = {
    "wages": _l("wages"),
    "business": _l("business income"),
    "property": _l("property income"),
    "transfer": _l("transfers"),
    "pension": _l("pension"),
    "other": _l("other income"),
    "pension_basic": _l("basic resident pension"),
    "award": _l("awards and grants"),
    "assistance": _l("assistance"),
    "veterans": _l("veterans' benefits"),
    "family_planning": _l("family-planning support"),
}
VALUE_LABELS["disability_type"] = {
    "visual": _l("visual"),
    "hearing": _l("hearing"),
    "speech": _l("speech"),
    "physical": _l("physical"),
    "intellectual": _l("intellectual"),
    "mental": _l("mental"),
    "multiple": _l("multiple"),
}
VALUE_LABELS["sign_in_outcome"] = {
    "ok": _l("signed in"),
    "bad_credentials": _l("wrong name or password"),
    "locked_user": _l("refused: account locked"),
    "awaiting_approval": _l("refused: awaiting a second administrator"),
    "locked_address": _l("refused: address locked"),
    "throttled_user": _l("refused: too soon after failures on the name"),
    "throttled_address": _l("refused: too soon after failures from the address"),
    "signed_out": _l("signed out"),
}
VALUE_LABELS["area_type"] = {"urban": _l("Urban"), "rural": _l("Rural")}
VALUE_LABELS["tekun_supporter"] = {
    "none": _l("no legal supporter"),
    "supporter_tekun": _l("the supporter is in tekun support"),
    "supporter_dibao_elderly": _l("the supporter is on dibao and aged 60 or over"),
    "supporter_elderly_or_disabled_low_income": _l(
        "the supporter is 70 or over or severely disabled, with a low income"
    ),
    "supporter_incapacitated": _l("the supporter lacks legal capacity, is missing or in prison"),
    "able": _l("a supporter is able to support (not eligible)"),
}
#: the columns of other departments' records (information checks, Art. 17)
VALUE_LABELS["crosscheck_column"] = {
    "name": _l("Name"),
    "plate_no": _l("Plate number"),
    "vehicle_type": _l("Vehicle type"),
    "registered_on": _l("Registered on"),
    "business_name": _l("Business"),
    "credit_code": _l("Credit code"),
    "role": _l("Role in the business"),
    "certificate_no": _l("Property certificate"),
    "location": _l("Location"),
    "floor_area": _l("Floor area"),
    "died_on": _l("Died on"),
    "place": _l("Place"),
    "employer": _l("Employer"),
    "position": _l("Position"),
    "monthly_salary": _l("Monthly salary"),
    "subsidy": _l("Subsidy"),
    "monthly_yuan": _l("Monthly amount"),
    "paid_month": _l("Month paid"),
}
#: how a case came (``Case.origin``)
VALUE_LABELS["origin"] = {
    "application": _l("The household applied"),
    "outreach": _l("Found by a coordinator's outreach (registered on the household's behalf)"),
    "referral": _l("Referred (a monitoring warning or a hand-off)"),
    "roster": _l("Imported from the county's earlier system"),
}
#: a monitoring warning's status (and the lists' "overdue" and "all")
VALUE_LABELS["warning_status"] = {
    "open": _l("open"),
    "overdue": _l("overdue"),
    "visited": _l("followed up by a visit"),
    "referred": _l("referred to an application"),
    "closed": _l("closed"),
    "all": _l("all"),
}
#: the risk signals that raise a monitoring warning
VALUE_LABELS["signal"] = {
    "hospital_bill": _l("a large hospital bill"),
    "disability": _l("a new disability or grade"),
    "death": _l("a death in the family"),
    "job_loss": _l("loss of work"),
    "income_drop": _l("a sharp drop in income"),
    "crosscheck": _l("another department's record"),
}
VALUE_LABELS["self_care"] = {
    "self_caring": _l("self-caring"),
    "partly_lost": _l("self-care partly lost"),
    "fully_lost": _l("self-care fully lost"),
}
VALUE_LABELS["care_indicator"] = {
    "eating": _l("eating"),
    "dressing": _l("dressing"),
    "bed_transfer": _l("getting in and out of bed"),
    "toileting": _l("toileting"),
    "indoor_walking": _l("walking indoors"),
    "bathing": _l("bathing"),
}
VALUE_LABELS["work_outcome"] = {
    "accepted": _l("accepted"),
    "refused": _l("refused without good reason"),
    "refused_good_reason": _l("refused with good reason"),
}
VALUE_LABELS["data_source"] = {
    "household_registration": _l("household registration"),
    "tax": _l("tax records"),
    "social_insurance": _l("social insurance contributions"),
    "real_estate": _l("real estate registration"),
    "business_registration": _l("business registration"),
    "housing_fund": _l("housing provident fund"),
    "vehicles": _l("vehicles"),
    "deposits": _l("deposits and other financial assets (authorised)"),
}
VALUE_LABELS["standard_category"] = {
    "dibao": _l("Minimum living guarantee"),
    "tekun": _l("Extreme-poverty support"),
}
VALUE_LABELS["region_level"] = {
    "county": _l("County"),
    "township": _l("Township"),
    "village": _l("Village"),
}
VALUE_LABELS["document"] = {
    "notice": _l("Public notice"),
    "publication": _l("Publication"),
    "approval": _l("Approval letter"),
    "rejection": _l("Rejection letter"),
    "termination": _l("Termination letter"),
    "adjustment": _l("Adjustment letter"),
    "phase_out": _l("Phase-out letter"),
    "dossier": _l("Case dossier"),
}
VALUE_LABELS["join_reason"] = {
    "birth": _l("birth"),
    "marriage": _l("marriage"),
    "moved_in": _l("moved in"),
    "other": _l("other reason"),
}
VALUE_LABELS["departure_reason"] = {
    "moved_out": _l("moved out"),
    "married_out": _l("married out"),
    "other": _l("other reason"),
}
VALUE_LABELS["service_method"] = {
    "in_person": _l("handed over in person"),
    "post": _l("by post"),
    "village_posting": _l("posted in the village"),
    "electronic": _l("electronically"),
}
VALUE_LABELS["change_kind"] = {
    "employment": _l("employment"),
    "income": _l("income"),
    "health": _l("health"),
    "property": _l("property"),
    "other": _l("other"),
}
VALUE_LABELS["review_outcome"] = {
    "founded": _l("objection upheld"),
    "unfounded": _l("objection unfounded"),
}
VALUE_LABELS["yes_no"] = {"": _l("unchanged"), "yes": _l("yes"), "no": _l("no")}
#: how a relative is related to an official ("the member is the official's …")
VALUE_LABELS["kin_relation"] = {
    code: lazy_gettext(en) for code, (_, en) in KIN_LABELS.items() if code != SELF_RELATION
}
VALUE_LABELS["match_strength"] = {
    "id": _l("ID number"),
    "name_birth": _l("name and birth date"),
}
VALUE_LABELS["channel"] = {"ui": _l("web pages"), "api": _l("API"), "cli": _l("command line")}
#: what a read of personal data did, and what it read (the read log's actions are
#: ``<verb>_<subject>``, or a subject alone)
READ_VERBS = {
    "view": _l("Viewed"),
    "list": _l("Listed"),
    "search": _l("Searched"),
    "export": _l("Exported"),
    "print": _l("Printed"),
    "download": _l("Downloaded"),
}
READ_SUBJECTS = {
    "case": _l("a case"),
    "cases": _l("cases"),
    "queue": _l("the work queue"),
    "warnings": _l("monitoring warnings"),
    "trail": _l("the audit trail"),
    "trail_entry": _l("an audit entry"),
    "reads": _l("the read log"),
    "signins": _l("the sign-in log"),
    "activity": _l("activity by user"),
    "flags": _l("kinship flags"),
    "enrolled_flags": _l("enrolled relatives"),
    "register": _l("the filing register"),
    "letter": _l("a decision letter"),
    "dossier": _l("a household file"),
    "proof": _l("an inclusion proof"),
    "archives_due": _l("household files due"),
    "indicators": _l("favouritism indicators"),
    "payment_roll": _l("the payment roll"),
    "only": _l("a document"),
}
#: events in a case's trail that are not lifecycle triggers
EVENT_LABELS = {
    "create": _l("Case created"),
    "imported": _l("Imported from the county's existing roster"),
    "crosscheck_flag": _l("Flagged by another department's records"),
    "resolve_crosscheck": _l("Information-check flag resolved"),
    "update_draft": _l("Draft application corrected"),
    "record_investigation": _l("Investigation recorded"),
    "record_objection": _l("Objection recorded"),
    "dismiss_objection": _l("Objection dismissed"),
    "kinship_flags": _l("Kinship flags changed"),
    "kinship_filing": _l("Kinship filing"),
    "recusal_refused": _l("Refused: recusal"),
    "record_change": _l("Change of means recorded"),
    "record_death": _l("Death of a member recorded"),
    "member_joined": _l("Member joined the household"),
    "member_left": _l("Member left the household"),
    "serve_decision": _l("Decision served"),
    "record_complaint": _l("Complaint recorded"),
    "democratic_review": _l("Democratic review recorded"),
    "request_data_check": _l("Information check requested"),
    "start_data_check": _l("Information check started"),
    "record_data_check_result": _l("Information check answered"),
    "record_work_offer": _l("Work offer recorded"),
    "record_repayment": _l("Repayment recorded"),
    "self_care_assessment": _l("Self-care assessed"),
    "report_care_change": _l("Change in self-care reported"),
    "hand_off": _l("Handed off to a dibao application"),
    "inspection_finding": _l("Inspector's finding recorded"),
}
#: lines of a benefit's explanation, by code (the stored label is Chinese)
BREAKDOWN_LABELS = {
    "income": _l("Counted income"),
    "excluded": _l("Income not counted (Art. 13)"),
    "deduction.employment_cost": _l("Employment cost deducted"),
    "deduction.rigid_expenses": _l("Rigid expenses deducted"),
    "supplement.classified": _l("Classified supplement (serious illness or severe disability)"),
    "standard.total": _l("Standard × members"),
    "base": _l("Top-up to the standard"),
    "household.per_capita": _l("Household income per head (marginal family test)"),
    "tekun.dibao_standard": _l("Local dibao standard (income test, TK Art. 6)"),
    "sanction.work_refusal": _l("Own share stopped: refused work (Art. 34)"),
    "phase_out": _l("Amount during the phase-out"),
    # the sums ``engine.amounts`` adds to the stored lines
    "counted.total": _l("Counted income of the household"),
    "counted.less": _l("Less the counted income"),
    "floor.counted": _l("Counted income is never below zero"),
    "floor.base": _l("The top-up is never below zero"),
    "subtotal": _l("Sum before rounding"),
    "rounding": _l("Rounding"),
    "rounding.yuan": _l("Rounded to whole yuan, half up"),
    "rounding.jiao": _l("Rounded to the jiao, half up"),
    "rounding.fen": _l("Rounded to the fen, half up"),
    "monthly": _l("Monthly amount"),
    "imported": _l("Amount as decided in the earlier system (roster migration)"),
}
#: headings of an explained amount's parts (``engine.amounts.AmountExplanation``)
AMOUNT_SECTIONS = {
    "counted": _l("Income counted"),
    "amount": _l("How the amount is reached"),
    "excluded": _l("Income not counted (Art. 13): listed, added to nothing"),
    "references": _l("Figures the eligibility tests read"),
}


def breakdown_label(line: Any) -> str:
    """One line of a benefit's explanation in the request's language (a stored line's
    dict, or an ``engine.amounts.ShownLine``)."""
    if not isinstance(line, dict):
        line = {"code": line.code, "label": line.label}
    code = str(line.get("code", ""))
    kind, _, detail = code.partition(".")
    label = BREAKDOWN_LABELS.get(code) or BREAKDOWN_LABELS.get(kind)
    if label is None:
        return str(line.get("label") or code)
    text = str(label)
    if kind in ("income", "excluded") and detail:
        text += f"（{value_label('income_type', detail)}）"
    return text


def value_label(kind: str, value: str | None) -> str:
    """The name of a stored value in the request's language (unknown values as they are)."""
    if value is None:
        return ""
    label = VALUE_LABELS.get(kind, {}).get(str(value))
    return str(label) if label is not None else str(value)


def read_action_label(action: str) -> str:
    """What a read-log entry did, in the request's language ("Searched the audit trail")."""
    verb, _, subject = action.partition("_")
    if verb not in READ_VERBS or subject not in READ_SUBJECTS:
        verb, subject = "view", action
    if subject not in READ_SUBJECTS:
        return action
    return gettext("%(verb)s %(subject)s", verb=READ_VERBS[verb], subject=READ_SUBJECTS[subject])


def select_locale() -> str:
    """The locale of this request: the user's choice, else Chinese."""
    chosen = session.get("lang")
    return chosen if chosen in LANGUAGES else DEFAULT_LOCALE


def is_english() -> bool:
    """Whether this request is shown in English."""
    return select_locale() == "en"


def state_label(state: str) -> str:
    """The state's name in the request's language."""
    return gettext(STATE_LABELS[CaseState(state)][1])


def trigger_label(trigger: str) -> str:
    """The name of a trigger or other trail event in the request's language."""
    label = _TRIGGER_LABELS.get(trigger)
    if label:
        return gettext(label)
    event = EVENT_LABELS.get(trigger)
    return str(event) if event is not None else trigger


def lazy_trigger_label(trigger: str) -> Any:
    """A trigger's or event's name, translated when shown (for lists built before any request)."""
    label = _TRIGGER_LABELS.get(trigger)
    return lazy_gettext(label) if label else EVENT_LABELS.get(trigger, trigger)


def lazy_role_label(role: str) -> Any:
    """A role's name, translated when shown."""
    return lazy_gettext(ROLE_LABELS[Role(role)][1])


def role_label(role: str) -> str:
    """The role's name in the request's language."""
    return gettext(ROLE_LABELS[Role(role)][1])


def document_label(kind: str) -> str:
    """A printed document's name in the request's language."""
    return value_label("document", kind)


def category_label(category: str) -> str:
    """The category's name in the request's language."""
    label = CATEGORY_LABELS.get(category)
    return str(label) if label is not None else category


def error_text(err: DomainError) -> str:
    """A domain error's message in the request's language (the engine words it in both)."""
    return err.text("en" if is_english() else "zh")


def problem_text(problem: Problem) -> str:
    """One failed guard or invalid field in the request's language."""
    return problem.message_en if is_english() else problem.message


def workflow_labels(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str | None, str, list[str]]]:
    """Babel extractor: the English labels of states, roles and triggers as message ids."""
    comment = ["lifecycle label (engine/states.py)"]
    for _, en in STATE_LABELS.values():
        yield 0, None, en, comment
    for _, en in ROLE_LABELS.values():
        yield 0, None, en, comment
    for rule in TRANSITIONS:
        yield 0, None, rule.label_en, comment
    for spec in DEADLINE_SPECS:
        yield 0, None, spec.label_en, ["deadline label (engine/deadlines.py)"]
    for _, en in OTHER_DEADLINE_LABELS.values():
        yield 0, None, en, ["deadline label (engine/deadlines.py)"]
    for _, en in EXTENSION_GROUNDS.values():
        yield 0, None, en, ["extension ground (engine/deadlines.py)"]
    for _, en in TEKUN_TERMINATION_GROUNDS.values():
        yield 0, None, en, ["tekun termination ground (engine/rules.py)"]
    for _, en in KIN_LABELS.values():
        yield 0, None, en, ["kin relation (audit/relations.py)"]


_DEADLINE_LABELS = {
    **{spec.name: spec.label_en for spec in DEADLINE_SPECS},
    **{name: en for name, (_, en) in OTHER_DEADLINE_LABELS.items()},
}


def deadline_label(name: str) -> str:
    """A deadline's name (e.g. ``data_check``) in the request's language."""
    label = _DEADLINE_LABELS.get(name)
    return gettext(label) if label else name


def amount_section(name: str) -> str:
    """The heading of a part of an explained amount in the request's language."""
    label = AMOUNT_SECTIONS.get(name)
    return str(label) if label is not None else name


def engine_label(pair: tuple[str, str]) -> str:
    """A (Chinese, English) label pair from the engine, through the catalogue."""
    return gettext(pair[1])
