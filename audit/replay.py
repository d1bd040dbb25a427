"""Replay decision receipts: recompute each amount from the inputs its audit entry stored."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from audit.chain import canonical_text
from audit.recorder import case_entries
from engine.rules import compute_benefit, inputs_from_payload


@dataclass(frozen=True)
class Replay:
    """One receipt recomputed."""

    seq: int
    trigger: str
    recorded: dict[str, Any]
    recomputed: dict[str, Any]

    @property
    def matches(self) -> bool:
        """Whether the recomputed result equals the recorded one."""
        return self.recorded == self.recomputed

    def differences(self) -> list[str]:
        """Name each field that differs, with both values."""
        keys = sorted(set(self.recorded) | set(self.recomputed))
        return [
            f"{k}: recorded {self.recorded.get(k)!r}, recomputed {self.recomputed.get(k)!r}"
            for k in keys
            if self.recorded.get(k) != self.recomputed.get(k)
        ]


def replay_case(session: Session, case_id: int) -> list[Replay]:
    """Recompute every receipt in the case's trail (propose, approve, adjust, resume, ...)."""
    out = []
    for row in case_entries(session, case_id):
        payload = json.loads(row.payload)
        receipt = payload.get("benefit")
        if not isinstance(receipt, dict) or "inputs" not in receipt:
            continue
        household, policy = inputs_from_payload(receipt["inputs"])
        result = compute_benefit(household, policy).as_dict()
        # compare as stored: both through the same canonical JSON encoding
        out.append(
            Replay(
                seq=row.seq,
                trigger=row.trigger,
                recorded=receipt["result"],
                recomputed=json.loads(canonical_text(result)),
            )
        )
    return out
