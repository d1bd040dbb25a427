"""The inspector's workspace: the trail, the chains, kinship flags and filings, who read what."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from flask import request, url_for
from flask_admin import BaseView, expose
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_babel import gettext, lazy_gettext
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response

from admin.extensions import runtime
from admin.reads import record_reads
from admin.ui.access import Restricted, current_actor, shows_domain_errors
from admin.ui.i18n import (
    EVENT_LABELS,
    is_english,
    lazy_role_label,
    lazy_trigger_label,
    read_action_label,
    role_label,
    state_label,
    trigger_label,
    value_label,
)
from admin.ui.lists import (
    LocalDaysBetween,
    ReadOnlyView,
    download,
    local_time,
    wants_download,
)
from admin.ui.paging import PAGE_SIZE, page_arg, page_count, whole_number
from admin.ui.payload import payload_outline
from audit.chain import StoredEntry, canonical_text, verify_chain
from audit.checkpoints import Checkpoint, CheckpointError, latest_checkpoint, replay_checkpoints
from audit.indicators import DEFAULTS as INDICATOR_DEFAULTS
from audit.indicators import indicators, period
from audit.inspect import enrolled_flagged_cases, kinship_register, list_flags
from audit.models import AccessLog, AuditEntry, SignInEvent
from audit.proofs import ProofError, build_proof
from audit.recorder import stored_entry
from audit.verify import snapshot_reads, verify_all
from engine.access import county_of
from engine.clock import local_date
from engine.errors import Conflict, InvalidData, invalid_field
from engine.inputs import EARLIEST_DAY, LATEST_DAY
from engine.models import Case, User
from engine.privacy import Disclosure
from engine.queries import visible_case
from engine.states import TRANSITIONS, Role

_l = lazy_gettext
INSPECTORS = frozenset({Role.INSPECTOR})
#: kinship flags are also the approvers' business (they confirm flagged cases)
FLAG_READERS = frozenset({Role.INSPECTOR, Role.APPROVER, Role.ADMIN})
ACTIVITY_DAYS = 30
#: a kept checkpoint is one line of about 400 bytes; nothing larger is read
MAX_LINE_BYTES = 4096
#: the largest case or entry number a query argument may name (a 32-bit integer column)
MAX_ID = 2_147_483_647


def _time(view: Any, context: Any, model: Any, name: str) -> str:
    return local_time(getattr(model, name))


def _case_link(view: Any, context: Any, model: Any, name: str) -> Any:
    case_id = getattr(model, name)
    if case_id is None:
        return ""
    return Markup('<a href="{}">#{}</a>').format(url_for("case.details", case_id=case_id), case_id)


def _trigger_options() -> list[tuple[str, str]]:
    """Every action a trail may hold, named in the request's language (for the filter)."""
    names = dict.fromkeys([*(r.trigger for r in TRANSITIONS), *EVENT_LABELS])
    return [(name, lazy_trigger_label(name)) for name in names]


def _role_options() -> list[tuple[str, str]]:
    return [(r.value, lazy_role_label(r.value)) for r in Role]


class AuditTrailView(ReadOnlyView):
    """Every audit entry of the region's cases: search by case, user, trigger and time."""

    roles = INSPECTORS
    read_action = "trail"
    column_list = (
        "case_id",
        "seq",
        "trigger",
        "from_state",
        "to_state",
        "actor",
        "role",
        "at",
        "reason",
        "hash",
    )
    column_default_sort = ("id", True)
    column_filters = (
        "case_id",
        "actor",
        FilterEqual(AuditEntry.trigger, _l("Action"), options=_trigger_options),
        FilterEqual(AuditEntry.role, _l("Role"), options=_role_options),
        LocalDaysBetween(AuditEntry.at, _l("Time")),
    )
    column_searchable_list = ("reason",)
    column_labels = {
        "case_id": _l("Case"),
        "seq": _l("No."),
        "trigger": _l("Action"),
        "from_state": _l("From"),
        "to_state": _l("To"),
        "actor": _l("User"),
        "role": _l("Role"),
        "at": _l("Time"),
        "reason": _l("Reason"),
        "hash": _l("Hash"),
        "prev_hash": _l("Previous hash"),
        "payload": _l("Decision inputs"),
        "actor_id": _l("User id"),
    }
    column_formatters = {
        "case_id": _case_link,
        "trigger": lambda v, c, m, n: trigger_label(m.trigger),
        "from_state": lambda v, c, m, n: state_label(m.from_state) if m.from_state else "",
        "to_state": lambda v, c, m, n: state_label(m.to_state) if m.to_state else "",
        "role": lambda v, c, m, n: role_label(m.role),
        "at": _time,
        "hash": lambda v, c, m, n: m.hash[:16] + "…",
    }
    # one entry in full: the decision inputs in words, the text that was hashed beneath
    column_formatters_detail = {
        **column_formatters,
        "hash": lambda v, c, m, n: m.hash,
        "payload": lambda v, c, m, n: payload_outline(m.payload),
    }
    # a spreadsheet for people: names in the UI's language, the full hash, the case number
    column_formatters_export = {
        name: f for name, f in column_formatters.items() if name not in ("case_id", "hash")
    }

    def scoped(self, query: Any) -> Any:
        """Entries of cases in the inspector's region."""
        return query.join(Case, Case.id == AuditEntry.case_id).filter(
            Case.village_code.startswith(current_actor().region_code, autoescape=True)
        )


def _users_in_region() -> Any:
    return select(User.id).where(
        User.region_code.startswith(current_actor().region_code, autoescape=True)
    )


class AccessLogView(ReadOnlyView):
    """Who opened whose personal data, when and through which channel."""

    roles = INSPECTORS
    read_action = "reads"
    column_list = ("at", "username", "role", "action", "case_id", "household_id", "channel")
    column_default_sort = ("id", True)
    column_filters = (
        "username",
        "case_id",
        "action",
        "channel",
        LocalDaysBetween(AccessLog.at, _l("Time")),
    )
    column_labels = {
        "at": _l("Time"),
        "username": _l("User"),
        "role": _l("Role"),
        "action": _l("Action"),
        "case_id": _l("Case"),
        "household_id": _l("Household"),
        "channel": _l("Channel"),
    }
    column_formatters = {
        "at": _time,
        "case_id": _case_link,
        "role": lambda v, c, m, n: role_label(m.role),
        "action": lambda v, c, m, n: read_action_label(m.action),
        "channel": lambda v, c, m, n: value_label("channel", m.channel),
    }
    column_formatters_export = {
        "at": _time,
        "role": column_formatters["role"],
        "action": column_formatters["action"],
        "channel": column_formatters["channel"],
    }

    def scoped(self, query: Any) -> Any:
        """Reads by the region's users."""
        return query.filter(AccessLog.user_id.in_(_users_in_region()))


class SignInLogView(ReadOnlyView):
    """Every sign-in and sign-out, and every refused attempt (unknown names included)."""

    roles = frozenset({Role.INSPECTOR, Role.ADMIN})
    read_action = "signins"
    column_list = ("at", "username", "outcome", "address", "channel")
    column_default_sort = ("id", True)
    column_filters = (
        "username",
        "outcome",
        "address",
        "channel",
        LocalDaysBetween(SignInEvent.at, _l("Time")),
    )
    column_labels = {
        "at": _l("Time"),
        "username": _l("User name"),
        "outcome": _l("Outcome"),
        "address": _l("Address"),
        "channel": _l("Channel"),
    }
    column_formatters = {
        "at": _time,
        "outcome": lambda v, c, m, n: value_label("sign_in_outcome", m.outcome),
    }
    column_formatters_export = column_formatters

    def scoped(self, query: Any) -> Any:
        """The region's users; names that belong to nobody (guesses, and passwords typed into
        the name field) only for the county and above, whose sign-in page they were typed at."""
        region = current_actor().region_code
        mine = SignInEvent.user_id.in_(_users_in_region())
        if region == county_of(region):
            return query.filter(mine | SignInEvent.user_id.is_(None))
        return query.filter(mine)


class VerificationView(Restricted, BaseView):  # type: ignore[misc]
    """Chain verification: each case of a page checked on the spot, or every chain at once."""

    roles = INSPECTORS

    @expose("/")
    @shows_domain_errors
    def index(self) -> str:
        """One page of the region's cases, each chain recomputed now."""
        actor = current_actor()
        page = page_arg()
        with runtime().reader() as uow:
            session = uow.session
            cases = session.scalars(
                select(Case)
                .where(Case.village_code.startswith(actor.region_code, autoescape=True))
                .order_by(Case.id)
                .limit(PAGE_SIZE)
                .offset((page - 1) * PAGE_SIZE)
            ).all()
            # the page's entries in one read, in chain order per case
            by_case: dict[int, list[StoredEntry]] = {case.id: [] for case in cases}
            for row in session.scalars(
                select(AuditEntry)
                .where(AuditEntry.case_id.in_(list(by_case)))
                .order_by(AuditEntry.case_id, AuditEntry.seq)
            ):
                by_case[row.case_id].append(stored_entry(row))
            rows = []
            for case in cases:
                entries = by_case[case.id]
                problem = verify_chain(f"case {case.id}", entries, case.chain_seq, case.chain_head)
                rows.append((case, len(entries), problem))
            latest = latest_checkpoint(session)
        return self.render(
            "ui/verify.html",
            rows=rows,
            page=page,
            has_next=len(rows) == PAGE_SIZE,
            report=None,
            latest=latest,
        )

    @expose("/all", methods=["POST"])
    @shows_domain_errors
    def verify_everything(self) -> str:
        """Recompute every chain of the region (cases, the county's ledgers and read log) and
        every checkpoint; with a kept checkpoint line (uploaded or pasted), check the
        database against it."""
        actor = current_actor()
        kept = None
        text = request.form.get("line", "").strip()
        upload = request.files.get("kept")
        if upload is not None and upload.filename:
            text = upload.read(MAX_LINE_BYTES).decode("utf-8", errors="replace").strip()
        if text:
            try:
                kept = Checkpoint.from_line(text.splitlines()[-1])
            except CheckpointError as err:
                raise InvalidData(
                    "所提供的不是 doudi audit checkpoint 打印的检查点",
                    str(err),
                    problems=[invalid_field("kept", "请上传或粘贴留存的检查点（一行）", str(err))],
                ) from None
        with runtime().reader() as uow:
            snapshot_reads(uow.session)
            replay = replay_checkpoints(uow.session, kept=kept)
            report = verify_all(
                uow.session, region_code=actor.region_code, recorded=replay.recorded
            )
            latest = latest_checkpoint(uow.session)
        return self.render(
            "ui/verify.html",
            rows=[],
            page=1,
            has_next=False,
            report=report,
            replay=replay,
            kept=kept,
            latest=latest,
        )

    @expose("/proof")
    @shows_domain_errors
    def proof(self) -> Response:
        """Download the inclusion proof of one entry of a case in the latest checkpoint."""
        actor = current_actor()
        case_id = whole_number(request.args.get("case_id"), MAX_ID)
        seq = whole_number(request.args.get("seq"), MAX_ID)
        if not case_id or not seq:
            raise InvalidData(
                "请填写案件编号和记录序号",
                "give the case number and the entry's number",
                problems=[invalid_field("case_id", "须为正整数", "a positive whole number")],
            )
        with runtime().reader() as uow:
            visible_case(uow.session, actor, case_id)
            try:
                proof = build_proof(uow.session, f"case {case_id}", seq)
            except ProofError as err:
                raise Conflict(
                    "无法生成该记录的证明：" + str(err), str(err), code="no_proof"
                ) from None
        # the entry's payload is the case's personal data
        record_reads(actor, "download_proof", "ui", [case_id])
        return Response(
            canonical_text(proof) + "\n",
            mimetype="application/json",
            headers={"Content-Disposition": f"attachment; filename=proof-case{case_id}-{seq}.json"},
        )


class FlagsView(Restricted, BaseView):  # type: ignore[misc]
    """Kinship flags of the user's region, filed or not; XLSX and CSV."""

    roles = FLAG_READERS

    @expose("/")
    @shows_domain_errors
    def index(self) -> str | Response:
        """The flags, newest first, by status and filing."""
        status = request.args.get("status", "active")
        filed_arg = request.args.get("filed", "")
        filed = {"yes": True, "no": False}.get(filed_arg)
        active = {"active": True, "vanished": False}.get(status)
        page = page_arg()
        actor = current_actor()
        fmt = wants_download()
        with runtime().reader() as uow:
            rows, total = list_flags(
                uow.session,
                actor.region_code,
                Disclosure(actor),
                active=active,
                filed=filed,
                page=1 if fmt else page,
                per_page=10**9 if fmt else PAGE_SIZE,
            )
        if fmt:
            header = [
                gettext("Case"),
                gettext("State"),
                gettext("Village"),
                gettext("Member"),
                gettext("Official"),
                gettext("Position"),
                gettext("Relation"),
                gettext("Match"),
                gettext("Path"),
                gettext("Raised"),
                gettext("Vanished"),
                gettext("Filed"),
            ]
            table = [
                [
                    r.case_id,
                    state_label(r.case_state),
                    r.village_name,
                    r.member_name,
                    r.official_name,
                    value_label("position", r.position),
                    value_label("kin_relation", r.relation),
                    value_label("match_strength", r.strength),
                    r.path,
                    local_time(r.raised_at),
                    local_time(r.vanished_at),
                    gettext("yes") if r.filed else gettext("no"),
                ]
                for r in rows
            ]
            record_reads(actor, "export_flags", "ui", [r.case_id for r in rows])
            return download(fmt, "kinship-flags", header, table)
        record_reads(actor, "list_flags", "ui", [r.case_id for r in rows])
        pages = page_count(total)
        return self.render(
            "ui/flags.html",
            rows=rows,
            total=total,
            page=page,
            pages=pages,
            status=status,
            filed=filed_arg,
            english=is_english(),
        )


class RegisterView(Restricted, BaseView):  # type: ignore[misc]
    """The separate register of filed cases (近亲属备案登记), by year."""

    roles = FLAG_READERS

    @expose("/")
    @shows_domain_errors
    def index(self) -> str | Response:
        """The register of a year (all years when none is chosen)."""
        raw = request.args.get("year", "")
        year = whole_number(raw, LATEST_DAY.year)
        if year is not None and year < EARLIEST_DAY.year:
            year = None
        actor = current_actor()
        with runtime().reader() as uow:
            rows = kinship_register(uow.session, actor.region_code, Disclosure(actor), year)
        fmt = wants_download()
        action = "export_register" if fmt else "view_register"
        record_reads(actor, action, "ui", [r.case_id for r in rows])
        if fmt:
            header = [
                gettext("No."),
                gettext("Filed on"),
                gettext("Case"),
                gettext("Village"),
                gettext("Applicant"),
                gettext("State"),
                gettext("Officials"),
                gettext("Relations"),
                gettext("Filed by"),
                gettext("Note"),
            ]
            table = [
                [
                    i,
                    local_time(r.filed_at)[:10],
                    r.case_id,
                    r.village_name,
                    r.applicant,
                    state_label(r.case_state),
                    r.officials,
                    r.relations,
                    r.filed_by,
                    r.note,
                ]
                for i, r in enumerate(rows, start=1)
            ]
            return download(fmt, "kinship-register", header, table)
        return self.render("ui/register.html", rows=rows, year=year)


class EnrolledFlagsView(Restricted, BaseView):  # type: ignore[misc]
    """Enrolled cases with kinship flags and where their review stands (近亲属享受低保复核)."""

    roles = FLAG_READERS

    @expose("/")
    @shows_domain_errors
    def index(self) -> str | Response:
        """Every enrolled flagged case of the region: filing, county visit, rechecks."""
        actor = current_actor()
        with runtime().reader() as uow:
            rows = enrolled_flagged_cases(uow.session, actor.region_code, Disclosure(actor))
        fmt = wants_download()
        record_reads(
            actor,
            "export_enrolled_flags" if fmt else "view_enrolled_flags",
            "ui",
            [r.case_id for r in rows],
        )
        if fmt:
            yes, no = gettext("yes"), gettext("no")
            header = [
                gettext("Case"),
                gettext("Village"),
                gettext("Applicant"),
                gettext("State"),
                gettext("Officials"),
                gettext("Relations"),
                gettext("Flag raised on"),
                gettext("Raised while enrolled"),
                gettext("Filed after the flag"),
                gettext("County visit after the flag"),
                gettext("Last recheck"),
                gettext("Next recheck"),
            ]
            table = [
                [
                    r.case_id,
                    r.village_name,
                    r.applicant,
                    state_label(r.case_state),
                    r.officials,
                    r.relations,
                    local_time(r.flagged_at)[:10],
                    yes if r.raised_while_enrolled else no,
                    yes if r.filed else no,
                    yes if r.county_visited else no,
                    local_time(r.rechecked_at)[:10] if r.rechecked_at else "",
                    r.next_recheck_on.isoformat() if r.next_recheck_on else "",
                ]
                for r in rows
            ]
            return download(fmt, "enrolled-kinship-cases", header, table)
        return self.render("ui/enrolled_flags.html", rows=rows)


class ActivityView(Restricted, BaseView):  # type: ignore[misc]
    """Per-user activity: entries written by each user on each day, by kind."""

    roles = INSPECTORS

    @expose("/")
    @shows_domain_errors
    def index(self) -> str | Response:
        """A table of users × days over a period (the last 30 days unless chosen)."""
        rt = runtime()
        tz = rt.clock.tz
        today = local_date(rt.clock.now(), tz)
        until = _date_arg("until") or today
        since = _date_arg("since") or until - dt.timedelta(days=ACTIVITY_DAYS - 1)
        actor = current_actor()
        start = dt.datetime.combine(since, dt.time(), tz)
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tz)
        with rt.reader() as uow:
            entries = uow.session.execute(
                select(AuditEntry.actor, AuditEntry.role, AuditEntry.at, AuditEntry.trigger)
                .join(Case, Case.id == AuditEntry.case_id)
                .where(
                    Case.village_code.startswith(actor.region_code, autoescape=True),
                    AuditEntry.at >= start,
                    AuditEntry.at < end,
                )
            ).all()
        per_day: Counter[tuple[str, str, dt.date]] = Counter()
        per_kind: Counter[tuple[str, str]] = Counter()
        roles: dict[str, str] = {}
        for user, role, at, trigger in entries:
            day = at.astimezone(tz).date()
            per_day[(user, role, day)] += 1
            per_kind[(user, trigger)] += 1
            roles[user] = role
        rows = sorted(per_day.items(), key=lambda kv: (kv[0][2], kv[0][0]), reverse=True)
        fmt = wants_download()
        if fmt:
            header = [gettext("Day"), gettext("User"), gettext("Role"), gettext("Entries")]
            table = [[d.isoformat(), u, role_label(r), n] for (u, r, d), n in rows]
            record_reads(current_actor(), "export_activity", "ui", [None])
            return download(fmt, "activity", header, table)
        kinds = sorted(per_kind.items(), key=lambda kv: (kv[0][0], -kv[1]))
        return self.render(
            "ui/activity.html",
            rows=rows,
            kinds=kinds,
            roles=roles,
            since=since,
            until=until,
        )


def _date_arg(name: str) -> dt.date | None:
    raw = request.args.get(name, "")
    try:
        day = dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return day if day is not None and EARLIEST_DAY <= day <= LATEST_DAY else None


class IndicatorsView(Restricted, BaseView):  # type: ignore[misc]
    """Favouritism indicators (人情保, 关系保), each linking to the cases behind it."""

    roles = INSPECTORS

    @expose("/")
    @shows_domain_errors
    def index(self) -> str:
        """The region's indicators over a period (default: the last year)."""
        actor = current_actor()
        rt = runtime()
        today = local_date(rt.clock.now(), rt.clock.tz)
        since, until = period(_date_arg("since"), _date_arg("until"), today)
        if since > until:
            since, until = until, since
        with rt.reader() as uow:
            found = indicators(uow.session, actor.region_code, since, until, rt.clock.tz, uow.rules)
        record_reads(actor, "indicators", "ui", found.named_cases())
        return self.render("ui/indicators.html", found=found, thresholds=INDICATOR_DEFAULTS)
