"""Every page and export in plain Chinese: no stored code (a state, trigger, role, relation,
read-log action or any other value the database holds) shows through untranslated."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from enum import StrEnum
from html.parser import HTMLParser

from flask import Flask
from sqlalchemy import select

import engine.models as models
from audit.models import AccessLog, AuditEntry, LedgerEntry
from engine.states import RULES, CaseState, Role
from tests.functional.admin.ui.conftest import Browser
from tests.support import VILLAGE_A1, World, flagged_case

#: words a Chinese page may carry in Latin letters: the product, formats, standards
ALLOWED = {"doudi", "csv", "xlsx", "pdf", "api", "json", "sha", "id", "v1", "utc", "openapi"}
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
PAGES = {
    "clerk": ["/admin/", "/admin/queue/", "/admin/apply/", "/admin/case/{case}"],
    "reviewer": ["/admin/", "/admin/queue/", "/admin/case/{case}"],
    "approver": ["/admin/", "/admin/queue/", "/admin/case/{case}"],
    "inspector": [
        "/admin/",
        "/admin/case/{case}",
        "/admin/trail/",
        "/admin/verify/",
        "/admin/flags/",
        "/admin/indicators/",
        "/admin/register/",
        "/admin/enrolled_flags/",
        "/admin/reads/",
        "/admin/signins/",
        "/admin/activity/",
    ],
    "admin": ["/admin/", "/admin/users/", "/admin/regions/", "/admin/policy/", "/admin/officials/"],
}
EXPORTS = {
    "inspector": [
        "/admin/trail/export/csv/",
        "/admin/reads/export/csv/",
        "/admin/signins/export/csv/",
        "/admin/flags/?export=csv",
        "/admin/register/?export=csv",
        "/admin/enrolled_flags/?export=csv",
    ],
}


#: elements without an end tag
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Text(HTMLParser):
    """The text a reader sees: text nodes outside scripts, styles and hidden elements."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        named = dict(attrs)
        classes = (named.get("class") or "").split()
        hidden = (
            tag in ("script", "style", "template")
            or "hidden" in named
            or "d-none" in classes
            # an entry's stored text, folded beneath its outline: the evidence the hash
            # covers, byte for byte, not prose
            or "doudi-stored" in classes
        )
        self._hidden.append(hidden or (bool(self._hidden) and self._hidden[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag not in VOID and self._hidden:
            self._hidden.pop()

    def handle_data(self, data: str) -> None:
        if not (self._hidden and self._hidden[-1]):
            self.parts.append(data)


def visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def codes(w: World) -> set[str]:
    """Every code the application stores or names, as a reader must never see it."""
    found = {s.value for s in CaseState} | {r.value for r in Role} | set(RULES)
    for value in vars(models).values():
        if isinstance(value, type) and issubclass(value, StrEnum) and value is not StrEnum:
            found |= {m.value for m in value}
    with w.rt.reader() as uow:
        for column in (AccessLog.action, AuditEntry.trigger, LedgerEntry.event):
            found |= set(uow.session.scalars(select(column).distinct()))
        # staff are shown by their names, and the test county's users are named after roles
        usernames = set(uow.session.scalars(select(models.User.username)))
    return {c for c in found if c and c.lower() not in ALLOWED} - usernames


def untranslated(text: str, known: set[str]) -> set[str]:
    return {word for word in WORD.findall(text) if word in known}


def busy_county(w: World) -> int:
    """Cases across the procedure, one flagged and filed, one with an objection."""
    from engine.states import CaseState as S

    for target in (S.ACTIVE, S.IN_PUBLIC_NOTICE, S.PENDING_CONFIRMATION):
        w.to_state(w.apply(), target)
    case_id = flagged_case(w, VILLAGE_A1, "李芳")
    w.to_state(case_id, S.IN_PUBLIC_NOTICE)
    return case_id


def test_no_page_or_export_shows_a_stored_code(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    case_id = busy_county(world)
    browsers: dict[str, Browser] = {role: as_user(role) for role in PAGES}
    for role, paths in PAGES.items():
        for path in paths:
            browsers[role].text(path.format(case=case_id))  # reads go into the log, too
    known = codes(world)
    leaks: dict[str, set[str]] = {}
    for role, paths in PAGES.items():
        for path in paths:
            url = path.format(case=case_id)
            found = untranslated(visible(browsers[role].text(url)), known)
            if found:
                leaks[f"{role} {url}"] = found
    for role, paths in EXPORTS.items():
        for url in paths:
            response = browsers[role].get(url)
            assert response.status_code == 200, url
            cells = csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
            rows = list(cells)
            found = {cell for row in rows[1:] for cell in row if cell in known}
            found |= untranslated(" ".join(rows[0]) if rows else "", known)
            if found:
                leaks[f"{role} {url}"] = found
    assert leaks == {}


def test_no_english_page_shows_a_stored_code(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """In English too, no code shows through: the codes that read as English words ("active",
    "clerk") may, the compound ones ("pending_confirmation", "view_case") never."""
    case_id = busy_county(world)
    known = {code for code in codes(world) if "_" in code}
    leaks: dict[str, set[str]] = {}
    for role, paths in PAGES.items():
        browser = as_user(role)
        browser.text("/admin/")  # the form's token of the signed-in session
        browser.post("/ui/language", {"lang": "en"})
        for path in paths:
            url = path.format(case=case_id)
            page = browser.text(url)
            assert "Sign out" in page and "退出" not in page, url
            found = untranslated(visible(page), known)
            if found:
                leaks[f"{role} {url}"] = found
    assert leaks == {}


def _keys(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if not MASKED_ID.match(key):  # members before and after a change, by masked ID
                yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


MASKED_ID = re.compile(r"^\d{3}\*+[0-9X]{4}$")


def test_every_trail_entry_reads_in_words(as_user, world: World) -> None:  # type: ignore[no-untyped-def]
    """Each entry's decision inputs are laid out with every field named in words and no
    stored code among the values (the stored text itself is folded beneath)."""
    from admin.ui.payload import has_label

    busy_county(world)
    with world.rt.reader() as uow:
        entries = uow.session.execute(select(AuditEntry.id, AuditEntry.payload)).all()
    unnamed = {key for _, payload in entries for key in _keys(json.loads(payload))}
    assert {key for key in unnamed if not has_label(key)} == set()
    inspector = as_user("inspector")
    known = codes(world)
    leaks = {}
    for entry_id, _ in entries:
        page = inspector.text(f"/admin/trail/details/?id={entry_id}")
        assert 'class="doudi-stored"' in page
        found = untranslated(visible(page), known)
        if found:
            leaks[entry_id] = found
    assert leaks == {}


def test_a_read_logs_action_reads_as_words(app: Flask) -> None:
    from admin.ui.i18n import read_action_label

    with app.test_request_context("/"):
        assert read_action_label("search_trail") == "查询审计记录"
        assert read_action_label("view_case") == "查看案件"
        assert read_action_label("indicators") == "查看优亲厚友风险指标"
        assert read_action_label("something_new") == "something_new"  # caught by the page scan


def test_an_accounts_status_is_not_a_cases_state(as_user) -> None:  # type: ignore[no-untyped-def]
    page = as_user("admin").text("/admin/users/")
    assert '<span class="badge badge-success">已启用</span>' in page
    assert '<span class="badge badge-success">在保</span>' not in page
