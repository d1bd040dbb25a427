"""The closed vocabularies of the domain, stored by value."""

from __future__ import annotations

from enum import StrEnum


class RegionLevel(StrEnum):
    """County (区县), township (乡镇/街道) or village (村/社区)."""

    COUNTY = "county"
    TOWNSHIP = "township"
    VILLAGE = "village"


class AreaType(StrEnum):
    """Urban or rural: standards differ."""

    URBAN = "urban"
    RURAL = "rural"


class Category(StrEnum):
    """Assistance category of a case."""

    DIBAO = "dibao"
    SINGLE_PERSON = "single_person"
    TEKUN = "tekun"


class StandardCategory(StrEnum):
    """Which standard a figure is: dibao (also used for single-person coverage) or tekun."""

    DIBAO = "dibao"
    TEKUN = "tekun"


class Relation(StrEnum):
    """A member's relation to the applicant."""

    SELF = "self"
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    SIBLING = "sibling"
    GRANDPARENT = "grandparent"
    GRANDCHILD = "grandchild"
    OTHER = "other"


class DisabilityType(StrEnum):
    """Disability type per GB/T 26341-2010."""

    VISUAL = "visual"
    HEARING = "hearing"
    SPEECH = "speech"
    PHYSICAL = "physical"
    INTELLECTUAL = "intellectual"
    MENTAL = "mental"
    MULTIPLE = "multiple"


class IncomeType(StrEnum):
    """Kinds of income; Art. 13 decides which count towards the means test."""

    WAGES = "wages"  # 工资性收入
    BUSINESS = "business"  # 家庭经营净收入
    PROPERTY = "property"  # 财产净收入
    TRANSFER = "transfer"  # 转移净收入 (support from relatives, etc.)
    PENSION = "pension"  # 职工养老金
    OTHER = "other"  # 其他应计收入
    PENSION_BASIC = "pension_basic"  # 城乡居民基本养老保险基础养老金 (not counted)
    AWARD = "award"  # 奖励、助学金 (not counted)
    ASSISTANCE = "assistance"  # 社会救助款物 (not counted)
    VETERANS = "veterans"  # 优抚对象抚恤补助 (not counted)
    FAMILY_PLANNING = "family_planning"  # 计划生育奖励扶助 (not counted)


class InvestigationLevel(StrEnum):
    """Who carried out the investigation."""

    TOWNSHIP = "township"
    COUNTY = "county"


class InvestigationMethod(StrEnum):
    """How the household's situation was checked (Art. 16-17)."""

    HOME_VISIT = "home_visit"  # 入户调查
    NEIGHBOUR_INTERVIEW = "neighbour_interview"  # 邻里访问
    LETTER = "letter"  # 信函索证
    DATA_CHECK = "data_check"  # 信息核对


class ObjectionStatus(StrEnum):
    """An objection is open until re-investigated or dismissed after democratic review."""

    OPEN = "open"
    REINVESTIGATED = "reinvestigated"
    DISMISSED = "dismissed"


class BenefitKind(StrEnum):
    """Whether an amount is the township's proposal or the county's decision."""

    PROPOSED = "proposed"
    DECIDED = "decided"


class OfficialPosition(StrEnum):
    """Who an official is: case officers (经办人员) and village cadres (村(居)委会成员)."""

    COUNTY_OFFICER = "county_officer"
    TOWNSHIP_OFFICER = "township_officer"
    VILLAGE_DIRECTOR = "village_director"  # 主任
    VILLAGE_DEPUTY = "village_deputy"  # 副主任
    VILLAGE_MEMBER = "village_member"  # 委员


class KinRelation(StrEnum):
    """How a relative is related to a person: "B is A's <relation>"."""

    SPOUSE = "spouse"
    PARENT = "parent"
    CHILD = "child"
    SIBLING = "sibling"
    GRANDPARENT = "grandparent"
    GRANDCHILD = "grandchild"
    PARENT_IN_LAW = "parent_in_law"
    CHILD_IN_LAW = "child_in_law"
    SIBLING_IN_LAW = "sibling_in_law"
    UNCLE_AUNT = "uncle_aunt"
    NEPHEW_NIECE = "nephew_niece"
    STEP_PARENT = "step_parent"
    STEP_CHILD = "step_child"
    ADOPTIVE_PARENT = "adoptive_parent"
    ADOPTIVE_CHILD = "adoptive_child"


class DeclarationSource(StrEnum):
    """Who declared a relation: the official, or the applicant about a member."""

    OFFICIAL = "official"
    APPLICANT = "applicant"


class MatchStrength(StrEnum):
    """How sure a kinship match is: by resident ID, or only by name and birth date."""

    ID = "id"
    NAME_BIRTH = "name_birth"
