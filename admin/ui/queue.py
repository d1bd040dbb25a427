"""The work queue: what waits on the signed-in clerk, reviewer or approver."""

from __future__ import annotations

from flask import request
from flask_admin import BaseView, expose
from sqlalchemy import select

from admin.extensions import runtime
from admin.ui.access import STAFF, Restricted, current_actor, shows_domain_errors
from engine.clock import local_date
from engine.models import Region, RegionLevel
from engine.queue import SORTS, work_queue

PER_PAGE = 50


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


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
        page = _int_arg("page", 1)
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
                per_page=PER_PAGE,
            )
            villages = uow.session.execute(
                select(Region.code, Region.name)
                .where(
                    Region.level == RegionLevel.VILLAGE,
                    Region.code.startswith(actor.region_code, autoescape=True),
                )
                .order_by(Region.code)
            ).all()
        pages = max(1, -(-result.total // PER_PAGE))
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
        )
