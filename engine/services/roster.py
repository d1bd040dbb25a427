"""Roster migration (存量数据迁移): bring in the cases a county already has, all rows or none.

Every row is read and checked against the county first (its villages, the standards in
force on each approval date, the people already registered and enrolled, the households
already imported); any problem refuses the whole file, naming line and column. A clean
file becomes, in one transaction: the people, households and members, one case per
household in ``active`` (or ``phasing_out``) with its decided amount, the members' claims,
one ``imported`` audit entry per case recording the file's SHA-256 and the household's
lines, the case's next deadline, and the kinship check over the imported households. A
household imported before with the same rows is left as it is, so a rerun changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from engine.access import ensure_in_region, ensure_role
from engine.cells import SourceFile
from engine.errors import InvalidData
from engine.models import (
    Region,
    RegionLevel,
)
from engine.ports import Actor, LedgerEvent
from engine.services.roster_plan import RosterReport, plan_roster
from engine.services.roster_rows import RosterRow
from engine.services.roster_writer import IMPORT_REASON, RosterWriter
from engine.states import Role
from engine.uow import UnitOfWork, db_conflicts

#: who may bring a county's roster in: its administrator or its approving office
ROSTER_IMPORTERS = frozenset({Role.ADMIN, Role.APPROVER})
#: households written per round of statements (one transaction for the whole file)
BATCH = 2000


def import_roster(
    uow: UnitOfWork,
    actor: Actor,
    county: str,
    rows: Sequence[RosterRow],
    source: SourceFile,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> RosterReport:
    """Import a county's roster (see the module); a dry run checks and reports only.

    Raises InvalidData listing every problem (nothing is written) unless ``dry_run``,
    which returns them in the report instead.
    """
    ensure_role(actor, ROSTER_IMPORTERS, "导入存量保障对象", "import a county's roster")
    report = RosterReport(dry_run=dry_run)
    # a second import of the same households running at the same time loses on the unique
    # household number (or a person's open claim) and is told so
    with uow, db_conflicts():
        session = uow.session
        region = session.get(Region, county)
        if region is None or region.level != RegionLevel.COUNTY:
            raise InvalidData(
                f"没有代码为{county}的县", f"no county with code {county}", code="unknown_county"
            )
        ensure_in_region(actor, county)
        todo = plan_roster(uow, county, rows, report)
        if dry_run:
            return report
        if report.problems:
            raise InvalidData(
                f"{len(report.problems)}处错误，未导入任何内容",
                f"{len(report.problems)} problem(s); nothing was imported",
                code="invalid_rows",
                problems=report.problems,
            )
        if not todo:
            return report  # nothing new: a rerun writes nothing, not even a ledger entry
        writer = RosterWriter(uow, actor, county, source)
        for start in range(0, len(todo), BATCH):
            part = todo[start : start + BATCH]
            report.case_ids += writer.write(part)
            if progress is not None:
                progress(len(part))
        report.kinship_flags = uow.kinship.scan_cases(uow, actor, report.case_ids)
        uow.audit.record(
            session,
            f"roster:{county}",
            LedgerEvent(
                event="roster_imported",
                actor=actor,
                at=writer.now,
                reason=IMPORT_REASON,
                payload={
                    "file": source.file_name,
                    "sha256": source.sha256,
                    "households": report.households,
                    "members": report.members,
                    "unchanged": report.unchanged,
                    "by_category": report.by_category,
                    "by_state": report.by_state,
                    "amounts_differing_from_rules": len(report.amount_differences),
                    "kinship_flags": report.kinship_flags,
                },
            ),
        )
        uow.commit()
    return report
