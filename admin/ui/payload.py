"""An audit entry's decision inputs (its payload) laid out in words for people.

The stored text is what the hash covers and stays available beside the outline; the
outline names every field in the reader's language, shows stored values (relations,
income types, categories, ...) by name, times in the county's zone, yes/no as words, and
leaves out fields that hold nothing.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from flask_babel import gettext, lazy_gettext
from markupsafe import Markup

from admin.ui.case_forms import FIELD_LABELS
from admin.ui.i18n import (
    CATEGORY_LABELS,
    breakdown_label,
    is_english,
    role_label,
    state_label,
    trigger_label,
    value_label,
)
from admin.ui.lists import local_time
from engine.parameters import SPECS

_l = lazy_gettext

#: the payload fields not named by a form field or a parameter (rules by their rule name)
PAYLOAD_LABELS: dict[str, Any] = {
    "able_to_work": _l("Able to work"),
    "address": _l("Address"),
    "age": _l("Age"),
    "amount_rule": _l("Amount rule"),
    "amount_unchanged": _l("Amount unchanged"),
    "appeal": _l("Remedies"),
    "application": _l("Application"),
    "area_type": _l("Urban or rural"),
    "assessment_id": _l("Assessment no."),
    "awaiting_approval": _l("Awaiting approval"),
    "bank_account": _l("Bank account"),
    "base_yuan": _l("Base amount (yuan)"),
    "benefit": _l("Benefit"),
    "breakdown": _l("Calculation"),
    "category": _l("Category"),
    "change": _l("Change"),
    "changed": _l("Changed"),
    "check_id": _l("Check no."),
    "code": _l("Item"),
    "complaint_at": _l("Complaint received"),
    "continuing": _l("Continuing support"),
    "counted_income_yuan": _l("Income counted (yuan)"),
    "county_code": _l("County"),
    "court": _l("Court"),
    "covered": _l("Covered"),
    "data": _l("Details"),
    "decided_at": _l("Decided at"),
    "decision_date": _l("Decision date"),
    "decision_id": _l("Decision no."),
    "document_number": _l("Document no."),
    "declaration_id": _l("Declaration no."),
    "democratic_review_at": _l("Democratic review held"),
    "deposits_yuan": _l("Deposits (yuan)"),
    "dibao_standard_yuan": _l("Dibao standard (yuan)"),
    "draw": _l("Draw"),
    "effective_from": _l("In force from"),
    "effective_month": _l("First month paid"),
    "elderly_age": _l("Elderly age"),
    "evidence": _l("Evidence"),
    "excluded_income": _l("Income not counted"),
    "extension_ground": _l("Ground for extension"),
    "extra_housing_units": _l("Housing beyond the home"),
    "facts": _l("Facts checked"),
    "failed_indicators": _l("Activities not managed"),
    "file_sha256": _l("File fingerprint (SHA-256)"),
    "filing_id": _l("Filing no."),
    "finding_visit_required_at": _l("County visit required since"),
    "flag_id": _l("Flag no."),
    "flags": _l("Flags"),
    "guards": _l("Conditions checked"),
    "had_objection": _l("Had an objection"),
    "household_after": _l("Household after"),
    "household_before": _l("Household before"),
    "household_id": _l("Household no."),
    "id": _l("No."),
    "in_school": _l("In school"),
    "incomes": _l("Incomes"),
    "ineligible": _l("Not eligible because"),
    "inputs": _l("Inputs"),
    "intellectual": _l("Intellectual"),
    "investigating_since": _l("Investigating since"),
    "investigation_id": _l("Investigation no."),
    "investigations": _l("Investigations"),
    "investigator_ids": _l("Investigators"),
    "kinship_filed": _l("Relatives filed"),
    "kinship_flagged_at": _l("Kinship flagged at"),
    "kinship_flags": _l("Kinship flags"),
    "label": _l("Name"),
    "last_change_kind": _l("Last change"),
    "linked_to_person": _l("Linked to a person"),
    "litigation_months": _l("Months to sue"),
    "matched_by": _l("Matched by"),
    "max_grades": _l("Highest disability grades"),
    "members": _l("Members"),
    "members_after": _l("Members after"),
    "members_before": _l("Members before"),
    "mental": _l("Mental"),
    "minor_age": _l("Minor age"),
    "monthly_yuan": _l("Monthly amount (yuan)"),
    "months": _l("Months"),
    "next_recheck_on": _l("Next recheck"),
    "notice_started_at": _l("Notice started"),
    "objection_id": _l("Objection no."),
    "objection_raised_at": _l("Objection raised"),
    "objections_new": _l("New objections"),
    "objections_reinvestigated": _l("Objections reinvestigated"),
    "official_id": _l("Official no."),
    "officials_created": _l("Officials added"),
    "officials_updated": _l("Officials updated"),
    "open_objection_ids": _l("Open objections"),
    "opinion_revised_at": _l("Opinion revised"),
    "parameter": _l("Parameter"),
    "parameter_id": _l("Parameter no."),
    "parameters": _l("Parameters in force"),
    "path": _l("Relation found"),
    "per_capita_income_yuan": _l("Income per person (yuan)"),
    "phase_out": _l("Phase-out"),
    "physical": _l("Physical"),
    "policy": _l("Policy"),
    "position": _l("Position"),
    "present_member_ids": _l("Members present"),
    "previous_case_id": _l("Previous case"),
    "previous_monthly_yuan": _l("Previous monthly amount (yuan)"),
    "property": _l("Property"),
    "proposed_at": _l("Proposed at"),
    "proposer_ids": _l("Proposed by"),
    "raised": _l("Flags raised"),
    "ratio": _l("Ratio"),
    "recheck": _l("Recheck"),
    "recheck_started_at": _l("Recheck started"),
    "rechecked_at": _l("Rechecked at"),
    "reconsideration_body": _l("Reconsideration by"),
    "reconsideration_days": _l("Days to seek reconsideration"),
    "origin": _l("How the case came"),
    "referral": _l("Referral"),
    "region_code": _l("Region"),
    "reinvestigating_since": _l("Reinvestigating since"),
    "relatives_created": _l("Relatives added"),
    "result": _l("Result"),
    "role": _l("Role"),
    "rows": _l("Rows"),
    "rules": _l("Rules in force"),
    "sampled": _l("Sampled"),
    "sampled_for_county_check": _l("Sampled for the county's check"),
    "sampling": _l("County sampling"),
    "sanctioned": _l("Sanctioned"),
    "self_care_result": _l("Self-care"),
    "self_care_unassessed": _l("Self-care not assessed"),
    "serious_illness": _l("Serious illness"),
    "source": _l("Source"),
    "standard": _l("Standard"),
    "standard_id": _l("Standard no."),
    "standard_yuan": _l("Standard (yuan)"),
    "strength": _l("Match"),
    "supplement_yuan": _l("Supplement (yuan)"),
    "support_age": _l("Support age"),
    "supporter": _l("Supporter"),
    "tekun_supporter": _l("Supporter"),
    "tekun_test": _l("Extreme-poverty test"),
    "termination_noticed_at": _l("Termination notified"),
    "termination_objection_at": _l("Objection to termination"),
    "through_person_id": _l("Through person no."),
    "type": _l("Type"),
    "unstable": _l("Income irregular"),
    "user_id": _l("User no."),
    "username": _l("User"),
    "value": _l("Value"),
    "vanished": _l("Flags no longer found"),
    "vehicles": _l("Vehicles"),
    "version": _l("Version"),
    "via": _l("Found through"),
    "village_code": _l("Village"),
    "visual": _l("Visual"),
    "work_refusals": _l("Work refused"),
    "public_notice_days": _l("Public notice (days)"),
    "min_investigators": _l("Investigators needed"),
    "investigation_start_working_days": _l("Investigation starts within (working days)"),
    "data_check_working_days": _l("Information check starts within (working days)"),
    "county_decision_working_days": _l("County decides within (working days)"),
    "tekun_county_decision_working_days": _l(
        "County decides extreme-poverty support within (working days)"
    ),
    "decision_notice_working_days": _l("Decision notified within (working days)"),
    "case_working_days": _l("Case decided within (working days)"),
    "case_working_days_delegated": _l("Case decided within, delegated (working days)"),
    "case_working_days_extended": _l("Case decided within, extended (working days)"),
    "tekun_review_working_days": _l("Extreme-poverty review within (working days)"),
    "death_reassessment_months": _l("Reassessment after a death (months)"),
    "phase_out_max_months": _l("Longest phase-out (months)"),
    "tekun_objection_review_working_days": _l(
        "Extreme-poverty objection reviewed within (working days)"
    ),
    "tekun_termination_objection_working_days": _l(
        "Objection to an extreme-poverty termination within (working days)"
    ),
    "tekun_sampling_min_percent": _l("Smallest extreme-poverty sample (%)"),
    "recheck_max_months_stable": _l("Longest recheck interval, regular income (months)"),
    "recheck_max_months_unstable": _l("Longest recheck interval, irregular income (months)"),
    "basic_pension_excluded": _l("Basic pension not counted"),
    "archive_min_years_enrolment": _l("Enrolment files kept at least (years)"),
    "archive_min_years_management": _l("Management files kept at least (years)"),
    "tekun_elderly_age": _l("Extreme-poverty elderly age"),
    "tekun_minor_age": _l("Extreme-poverty minor age"),
    "tekun_minor_support_age": _l("Support of minors continues to"),
    "tekun_max_grade_intellectual": _l("Highest intellectual disability grade"),
    "tekun_max_grade_mental": _l("Highest mental disability grade"),
    "tekun_max_grade_physical": _l("Highest physical disability grade"),
    "tekun_max_grade_visual": _l("Highest visual disability grade"),
    "work_refusal_limit": _l("Refusals of work allowed"),
    "self_care_partly_lost_max_failed": _l("Activities failed for partly lost self-care"),
    "self_care_reassessment_working_days": _l("Self-care reassessed within (working days)"),
}

#: how a kinship flag's evidence was found, and who declared the relation
EVIDENCE_LABELS: dict[str, dict[str, Any]] = {
    "via": {
        "household": _l("Same household register"),
        "declaration": _l("Declared relation"),
    },
    "source": {
        "official": _l("Declared by the official"),
        "applicant": _l("Declared by the applicant"),
    },
}

#: fields whose stored values are names of a kind ``value_label`` knows
VALUE_KINDS: dict[str, tuple[str, ...]] = {
    "relation": ("relation", "kin_relation"),
    "method": ("method",),
    "level": ("level",),
    "position": ("position",),
    "type": ("income_type",),
    "excluded_income": ("income_type",),
    "excluded_income_types": ("income_type",),
    "disability_type": ("disability_type",),
    "area_type": ("area_type",),
    "tekun_supporter": ("tekun_supporter",),
    "supporter": ("tekun_supporter",),
    "self_care_result": ("self_care",),
    "failed_indicators": ("care_indicator",),
    "sources": ("data_source",),
    "kind": ("change_kind",),
    "change": ("change_kind",),
    "last_change_kind": ("change_kind",),
    "strength": ("match_strength",),
    "matched_by": ("match_strength",),
    "kinship_additions": ("kin_relation",),
    "origin": ("origin",),
}


def payload_label(key: str) -> str:
    """A payload field's name in the reader's language (an unknown field as it is stored)."""
    label = PAYLOAD_LABELS.get(key) or FIELD_LABELS.get(key)
    if label is not None:
        return str(label)
    spec = SPECS.get(key)
    if spec is not None:
        return spec.label_en if is_english() else spec.label_zh
    return key


def has_label(key: str) -> bool:
    """Whether a payload field is named in words (tests hold every stored field to it)."""
    return key in PAYLOAD_LABELS or key in FIELD_LABELS or key in SPECS


def _scalar(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    text = str(value)
    if key == "category" and text in CATEGORY_LABELS:
        return str(CATEGORY_LABELS[text])
    if key in ("from_state", "to_state", "state"):
        return state_label(text)
    if key == "trigger":
        return trigger_label(text)
    if key == "role":
        return role_label(text)
    if text in EVIDENCE_LABELS.get(key, {}):
        return str(EVIDENCE_LABELS[key][text])
    for kind in VALUE_KINDS.get(key, ()):
        named = value_label(kind, text)
        if named != text:
            return named
    if key.endswith("_at") and "T" in text:
        try:
            return local_time(dt.datetime.fromisoformat(text.replace("Z", "+00:00")))
        except ValueError:
            return text
    return text


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _outline(key: str, value: Any) -> Markup:
    if isinstance(value, dict) and "code" in value and "amount_yuan" in value:
        # a line of a benefit's calculation, named as the case page names it
        member = f"{value['member']}：" if value.get("member") else ""
        return Markup("{}{} {}").format(member, breakdown_label(value), value["amount_yuan"])
    if isinstance(value, dict):
        items = [
            Markup("<dt>{}</dt><dd>{}</dd>").format(payload_label(k), _outline(k, v))
            for k, v in value.items()
            if not _empty(v)
        ]
        return Markup('<dl class="doudi-outline">{}</dl>').format(Markup("").join(items))
    if isinstance(value, list):
        if all(not isinstance(v, dict | list) for v in value):
            return Markup("{}").format("、".join(_scalar(key, v) for v in value))
        items = [Markup("<li>{}</li>").format(_outline(key, v)) for v in value]
        return Markup('<ol class="doudi-outline-list">{}</ol>').format(Markup("").join(items))
    return Markup("{}").format(_scalar(key, value))


def payload_outline(payload: str) -> Markup:
    """The stored payload laid out in words, with the stored text itself folded beneath."""
    try:
        parsed = json.loads(payload)
    except ValueError:
        parsed = None
    raw = Markup(
        '<details class="doudi-stored"><summary>{}</summary>'
        '<pre class="doudi-payload">{}</pre></details>'
    ).format(gettext("Stored text (as hashed)"), payload)
    if not isinstance(parsed, dict) or all(_empty(v) for v in parsed.values()):
        return Markup('<p class="text-muted">{}</p>{}').format(gettext("None"), raw)
    return _outline("", parsed) + raw
