"""The work queue: what waits on the signed-in clerk, reviewer or approver, and the batch
decision on the routine cases ticked in it."""

from __future__ import annotations

from flask import abort, request
from flask_admin import BaseView, expose
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import SelectMultipleField, StringField, TextAreaField

from admin.documents.issue import issue_village_document
from admin.documents.web import pdf_response
from admin.extensions import runtime
from admin.reads import record_reads
from admin.ui.access import WORKERS, Restricted, current_actor, shows_domain_errors
from admin.ui.i18n import is_english
from admin.ui.paging import PAGE_SIZE, page_arg, page_count, whole_number
from engine.clock import local_date
from engine.db import DB_INT_MAX
from engine.documents.notices import villages_with_cases
from engine.errors import InvalidData, invalid_field
from engine.models import RegionLevel
from engine.queries import region_names
from engine.queue import SORTS, decision_facts, work_queue
from engine.services.batch import MAX_BATCH, batch_rules, decide_batch


class BatchForm(FlaskForm):  # type: ignore[misc]
    """A batch decision: the trigger, an optional opinion, and the ticked cases ("id:version").

    The service checks everything else (role, selection, reason), so that the queue and
    the API refuse alike.
    """

    trigger = StringField()
    reason = TextAreaField()
    cases = SelectMultipleField(choices=[], validate_choice=False)


def _malformed() -> InvalidData:
    problem = invalid_field(
        "cases",
        "所选案件有误，请刷新待办页面后重新选择",
        "the selection is malformed: reload the queue and select again",
        code="invalid_selection",
    )
    return InvalidData(problem.message, problem.message_en, problems=[problem])


def selection(values: list[str]) -> tuple[list[int], dict[int, int]]:
    """The ticked cases' numbers and the versions the page showed, from "id:version" values."""
    ids: list[int] = []
    versions: dict[int, int] = {}
    for value in values:
        number, _, shown = value.partition(":")
        case_id = whole_number(number, DB_INT_MAX)
        version = whole_number(shown, DB_INT_MAX)
        if not case_id or not version:
            raise _malformed()
        ids.append(case_id)
        versions[case_id] = version
    return ids, versions


class WorkQueueView(Restricted, BaseView):  # type: ignore[misc]
    """Cases waiting on the user's role in their region, soonest deadline first."""

    roles = WORKERS

    @expose("/")
    @shows_domain_errors
    def index(self) -> str:
        """The queue, grouped by state, filtered by village and state, paged."""
        rt = runtime()
        actor = current_actor()
        state = request.args.get("state") or None
        village = request.args.get("village") or None
        sort = request.args.get("sort") or "due"
        page = page_arg()
        # the edge row of the page the user came from: the next page is found by its key
        after = request.args.get("after") or None
        before = request.args.get("before") or None
        today = local_date(rt.clock.now(), rt.clock.tz)
        with rt.reader() as uow:
            result = work_queue(
                uow.session,
                actor,
                today,
                state=state,
                village_code=village,
                sort=sort,
                page=page,
                per_page=PAGE_SIZE,
                after=after,
                before=before,
            )
            villages = region_names(uow.session, actor.region_code, RegionLevel.VILLAGE)
            in_notice = villages_with_cases(uow.session, actor.region_code, "notice")
            rules = batch_rules(actor.role)
            # what a decision needs, on the queues of those who decide in batches
            facts = decision_facts(uow, actor, [i.case.id for i in result.items]) if rules else {}
        record_reads(actor, "list_queue", "ui", [i.case.id for i in result.items])
        pages = page_count(result.total, PAGE_SIZE)
        return self.render(
            "ui/queue.html",
            queue=result,
            villages=villages,
            village_names=dict(villages),
            state=state,
            village=village,
            sort=sort,
            sorts=SORTS,
            pages=pages,
            position={"after": after, "before": before},
            today=today,
            in_notice=in_notice,
            facts=facts,
            batch_rules=rules,
            batch_states={str(s) for r in rules for s in r.sources},
            select_clean=request.args.get("select") == "clean",
            max_batch=MAX_BATCH,
            english=is_english(),
        )

    @expose("/batch", methods=["POST"])
    @shows_domain_errors
    def batch(self) -> str:
        """Decide the ticked cases one by one through the service; list each case's outcome."""
        form = BatchForm()
        form.validate_on_submit()  # the CSRF token; the service checks the rest
        ids, versions = selection(list(form.cases.data or []))
        result = decide_batch(
            runtime().uow,
            current_actor(),
            (form.trigger.data or "").strip(),
            ids,
            reason=(form.reason.data or "").strip(),
            expected_versions=versions,
        )
        return self.render("ui/batch_result.html", result=result, english=is_english())

    @expose("/villages/<code>/<kind>.pdf")
    @shows_domain_errors
    def village_document(self, code: str, kind: str) -> Response:
        """Print a village's public notice or publication (recorded with its verification code)."""
        if kind not in ("notice", "publication"):
            abort(404)
        return pdf_response(issue_village_document(runtime(), current_actor(), code, kind))
