"""A case as a Django team would write it with django-fsm-2 and django-fsm-log."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django_fsm import FSMField, transition
from django_fsm_log.decorators import fsm_log_by, fsm_log_description


class Case(models.Model):
    """The columns doudi's ``start_recheck`` writes, with its state machine."""

    state = FSMField(default="active")
    version = models.IntegerField(default=1)
    chain_seq = models.IntegerField(default=0)
    chain_head = models.CharField(max_length=64, null=True)
    recheck_started_at = models.DateTimeField(null=True)
    updated_at = models.DateTimeField(null=True)
    due_on = models.DateField(null=True)
    due_kind = models.CharField(max_length=40, null=True)

    class Meta:
        app_label = "peerapp"

    @fsm_log_by
    @fsm_log_description
    @transition(field=state, source="active", target="under_recheck")
    def start_recheck(self, by: Any = None, description: str | None = None) -> None:
        """The periodic recheck starts: stamped, versioned, its deadline met."""
        now = timezone.now()
        self.recheck_started_at = now
        self.updated_at = now
        self.version += 1
        self.due_on = None
        self.due_kind = None
