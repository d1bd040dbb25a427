"""Names checked against ID numbers registered in other regions, without an oracle to abuse.

An application or a new member whose ID number is already registered must
carry the registered name, so a refusal tells the clerk whether a guessed
name belongs to an ID number — for a person the clerk's region never handled,
a question the clerk has no business asking. Such refusals are therefore
recorded in the county's ``identity`` ledger (who tried which ID, masked, and
when), where inspectors see them, and a user who has had
``NAME_TRIES_PER_DAY`` of them in the last 24 hours gets no further answer
about people registered elsewhere until the window has passed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import county_of
from engine.errors import Forbidden, InvalidData
from engine.identity import mask_id_number
from engine.models import Household, Member
from engine.ports import Actor, LedgerEvent
from engine.uow import UnitOfWork

#: refused names for people registered elsewhere that one user may have in a day; a clerk
#: who mistypes a returning applicant's name a few times is not stopped, a guesser is
NAME_TRIES_PER_DAY = 5
#: the window over which the refusals are counted
NAME_TRIES_WINDOW = dt.timedelta(hours=24)
#: the ledger event of a refused name
NAME_MISMATCH_EVENT = "name_mismatch_elsewhere"


class NameMismatchElsewhere(InvalidData):
    """A name that differs from the registered one, for a person registered in another region."""

    def __init__(self, cause: InvalidData, id_numbers: Collection[str]) -> None:
        super().__init__(
            cause.message,
            cause.message_en,
            code=cause.code,
            problems=cause.problems,
            details=cause.details,
        )
        self.id_numbers = sorted(id_numbers)


def identity_ledger(region_code: str) -> str:
    """The county ledger recording refused names for people registered elsewhere."""
    return f"identity:{county_of(region_code)}"


def registered_elsewhere(session: Session, person_ids: Collection[int], actor: Actor) -> set[int]:
    """Those of the persons who were never a member of a household in the actor's region."""
    if not person_ids:
        return set()
    inside = session.scalars(
        select(Member.person_id)
        .join(Household, Household.id == Member.household_id)
        .where(
            Member.person_id.in_(list(person_ids)),
            Household.village_code.startswith(actor.region_code, autoescape=True),
        )
    ).all()
    return set(person_ids) - set(inside)


def ensure_name_tries_left(uow: UnitOfWork, actor: Actor, now: dt.datetime) -> None:
    """Refuse to compare names for people registered elsewhere once the day's tries are used."""
    if actor.user_id is None:  # the system itself (imports, the demo) guesses no names
        return
    used = uow.audit.count_recent(
        uow.session,
        identity_ledger(actor.region_code),
        NAME_MISMATCH_EVENT,
        actor.user_id,
        now - NAME_TRIES_WINDOW,
    )
    if used >= NAME_TRIES_PER_DAY:
        raise Forbidden(
            f"24小时内已有{used}次姓名与其他地区已登记的身份证号码不符；"
            "为保护个人信息，暂停核对其他地区人员，请核对身份证件原件或联系县级民政部门",
            f"{used} names in 24 hours differed from those registered for ID numbers of other "
            "regions; to protect personal data, people registered elsewhere are not checked "
            "for you until the window passes (check the ID card, or ask the county)",
            code="name_tries_exhausted",
        )


def record_name_mismatch(
    uow: UnitOfWork, actor: Actor, err: NameMismatchElsewhere, attempted: str
) -> None:
    """Record the refused name in the county's identity ledger (its own transaction)."""
    with uow.again() as second:
        second.audit.record(
            second.session,
            identity_ledger(actor.region_code),
            LedgerEvent(
                event=NAME_MISMATCH_EVENT,
                actor=actor,
                at=second.clock.now(),
                payload={
                    "attempted": attempted,
                    "id_numbers": [mask_id_number(n) for n in err.id_numbers],
                },
            ),
        )
        second.commit()
