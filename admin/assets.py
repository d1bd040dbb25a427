"""Where the templates and static files are: beside the package when installed from the wheel
(admin/templates, admin/static), at the top of the source checkout otherwise."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
CHECKOUT = PACKAGE.parent


def asset_dir(name: str) -> Path:
    """The ``templates`` or ``static`` folder of this installation."""
    installed = PACKAGE / name
    return installed if installed.is_dir() else CHECKOUT / name
