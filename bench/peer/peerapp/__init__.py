"""The peer's case model: django-fsm-2 for the lifecycle, django-fsm-log for the trail."""
