"""The work queue: what waits on the signed-in clerk, reviewer or approver."""

from __future__ import annotations

from flask import abort, request
from flask_admin import BaseView, expose
from werkzeug.wrappers import Response

from admin.documents.issue import issue_village_document
from admin.documents.web import pdf_response
from admin.extensions import runtime
from admin.reads import record_reads
from admin.ui.access import STAFF, Restricted, current_actor, shows_domain_errors
from admin.ui.paging import PAGE_SIZE, page_arg, page_count
from engine.clock import local_date
from engine.documents.notices import villages_with_cases
from engine.models import RegionLevel
from engine.queries import region_names
from engine.queue import SORTS, work_queue


class WorkQueueView(Restricted, BaseView):  # type: ignore[misc]
    """Cases waiting on the user's role in their region, soonest deadline first."""

    roles = STAFF

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
            )
            villages = region_names(uow.session, actor.region_code, RegionLevel.VILLAGE)
            in_notice = villages_with_cases(uow.session, actor.region_code, "notice")
        record_reads(actor, "list_queue", "ui", [i.case.id for i in result.items])
        pages = page_count(result.total)
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
            today=today,
            in_notice=in_notice,
        )

    @expose("/villages/<code>/<kind>.pdf")
    @shows_domain_errors
    def village_document(self, code: str, kind: str) -> Response:
        """Print a village's public notice or publication (recorded with its verification code)."""
        if kind not in ("notice", "publication"):
            abort(404)
        return pdf_response(issue_village_document(runtime(), current_actor(), code, kind))
