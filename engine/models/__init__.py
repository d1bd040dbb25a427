"""The domain model as typed SQLAlchemy 2 tables (import everything from here)."""

from engine.models.base import (
    Base,
    UTCDateTime,
    fen_to_yuan,
    str_enum,
    yuan_to_fen,
)
from engine.models.cases import (
    CASE_DATE_COLUMNS,
    BenefitDecision,
    Case,
    CaseClaim,
    Investigation,
    InvestigationInvestigator,
    Objection,
)
from engine.models.enums import (
    AreaType,
    BenefitKind,
    Category,
    DisabilityType,
    IncomeType,
    InvestigationLevel,
    InvestigationMethod,
    ObjectionStatus,
    RegionLevel,
    Relation,
    StandardCategory,
)
from engine.models.people import Household, Member, MemberIncome, Person, Region
from engine.models.policy import CalendarDay, PolicyParameter, Standard
from engine.models.users import ApiToken, User

__all__ = [
    "CASE_DATE_COLUMNS",
    "ApiToken",
    "AreaType",
    "Base",
    "BenefitDecision",
    "BenefitKind",
    "CalendarDay",
    "Case",
    "CaseClaim",
    "Category",
    "DisabilityType",
    "Household",
    "IncomeType",
    "Investigation",
    "InvestigationInvestigator",
    "InvestigationLevel",
    "InvestigationMethod",
    "Member",
    "MemberIncome",
    "Objection",
    "ObjectionStatus",
    "Person",
    "PolicyParameter",
    "Region",
    "RegionLevel",
    "Relation",
    "Standard",
    "StandardCategory",
    "UTCDateTime",
    "User",
    "fen_to_yuan",
    "str_enum",
    "yuan_to_fen",
]
