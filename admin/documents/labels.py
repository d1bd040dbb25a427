"""The words printed documents use for stored codes: documents are official, in Chinese only.

The UI translates the same codes through its catalogue and may be read in
English; a notice on a village board or a letter to an applicant is not.
"""

from __future__ import annotations

from engine.states import ROLE_LABELS, STATE_LABELS, TRANSITIONS

#: a category as a title names it, and as a table column names it
CATEGORY_TITLES = {
    "dibao": "最低生活保障",
    "single_person": "最低生活保障（单人保）",
    "tekun": "特困人员救助供养",
}
LABELS: dict[str, dict[str, str]] = {
    "category": {"dibao": "低保", "single_person": "单人保", "tekun": "特困供养"},
    "standard_category": {"dibao": "最低生活保障标准", "tekun": "特困人员基本生活标准"},
    "area_type": {"urban": "城市", "rural": "农村"},
    "relation": {
        "self": "申请人",
        "spouse": "配偶",
        "child": "子女",
        "parent": "父母",
        "sibling": "兄弟姐妹",
        "grandparent": "祖父母/外祖父母",
        "grandchild": "孙子女/外孙子女",
        "other": "其他亲属",
    },
    "sex": {"male": "男", "female": "女"},
    "method": {
        "home_visit": "入户调查",
        "neighbour_interview": "邻里访问",
        "letter": "信函索证",
        "data_check": "信息核对",
    },
    "level": {"township": "乡镇", "county": "县级"},
    "objection_status": {"open": "未处理", "reinvestigated": "已重新调查", "dismissed": "不成立"},
    "position": {
        "county_officer": "县级经办人员",
        "township_officer": "乡镇经办人员",
        "village_director": "村（居）委会主任",
        "village_deputy": "村（居）委会副主任",
        "village_member": "村（居）委会委员",
    },
    "strength": {"id": "身份证号码匹配", "name_birth": "姓名与出生日期匹配"},
    "income_type": {
        "wages": "工资性收入",
        "business": "经营净收入",
        "property": "财产净收入",
        "transfer": "转移净收入",
        "pension": "养老金",
        "other": "其他收入",
        "pension_basic": "基础养老金（不计入）",
        "award": "奖励助学金（不计入）",
        "assistance": "社会救助款物（不计入）",
        "veterans": "优抚金（不计入）",
        "family_planning": "计生奖扶（不计入）",
    },
    "disability_type": {
        "visual": "视力",
        "hearing": "听力",
        "speech": "言语",
        "physical": "肢体",
        "intellectual": "智力",
        "mental": "精神",
        "multiple": "多重",
    },
    "benefit_kind": {"proposed": "拟定", "decided": "核定"},
    "household": {
        "income_stable": "收入稳定",
        "rigid_expenses_yuan": "刚性支出（元/月）",
        "bank_account": "银行账户",
        "deposits_yuan": "存款（元）",
        "vehicles": "机动车（辆）",
        "extra_housing_units": "自住以外房产（套）",
        "yes": "是",
        "no": "否",
    },
    "date": {
        "created_at": "建档",
        "submitted_at": "提交申请",
        "materials_requested_at": "告知补正材料",
        "accepted_at": "受理",
        "investigating_since": "开始调查",
        "proposed_at": "初审",
        "notice_started_at": "张榜公示",
        "notice_closed_at": "公示结束",
        "decided_at": "审核确认",
        "recheck_started_at": "启动核查",
        "rechecked_at": "核查完成",
        "phase_out_started_at": "进入渐退期",
        "ended_at": "结案",
    },
    "document": {
        "notice": "公示",
        "publication": "公布",
        "approval": "审核确认通知书",
        "rejection": "不予确认决定书",
        "termination": "终止保障决定书",
        "adjustment": "保障金调整决定书",
        "phase_out": "渐退期通知书",
        "dossier": "案卷",
    },
    "state": {state.value: zh for state, (zh, _) in STATE_LABELS.items()},
    "role": {role.value: zh for role, (zh, _) in ROLE_LABELS.items()},
    "event": {
        **{rule.trigger: rule.label_zh for rule in TRANSITIONS},
        "create": "建立案件",
        "imported": "存量数据迁移",
        "crosscheck_flag": "信息核对发现记录",
        "resolve_crosscheck": "处理信息核对标记",
        "update_draft": "修改申请草稿",
        "record_investigation": "登记调查",
        "record_objection": "登记异议",
        "dismiss_objection": "驳回异议",
        "kinship_flags": "近亲属标记变化",
        "kinship_filing": "近亲属备案",
        "recusal_refused": "回避拒绝",
        "record_change": "登记家庭情况变化",
        "record_death": "登记成员死亡",
        "member_joined": "成员加入",
        "member_left": "成员离开",
        "serve_decision": "送达决定书",
    },
}


def label(kind: str, value: object) -> str:
    """The printed word for a stored code (the code itself when there is none)."""
    if value is None:
        return ""
    return LABELS.get(kind, {}).get(str(value), str(value))
