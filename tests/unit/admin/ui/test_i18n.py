"""The UI's language: every message in the Chinese catalogue, none hard-coded in templates."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from engine.deadlines import EXTENSION_GROUNDS, OTHER_LABELS
from engine.deadlines import SPECS as DEADLINE_SPECS
from engine.states import ROLE_LABELS, STATE_LABELS, TRANSITIONS

ROOT = Path(__file__).resolve().parents[4]
CATALOGUE = ROOT / "admin/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def extracted_ids() -> set[str]:
    """The message ids in the code and templates now (as ``pybabel extract`` finds them)."""
    with open(ROOT / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "lazy_gettext": None}
    return {
        msgid if isinstance(msgid, str) else msgid[0]
        for _, _, msgid, _, _ in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords
        )
    }


def catalogue() -> dict[str, str]:
    with open(CATALOGUE, "rb") as f:
        po = read_po(f)
    return {m.id: m.string for m in po if m.id and isinstance(m.id, str) and not m.fuzzy}


def test_every_message_of_the_ui_has_a_chinese_translation() -> None:
    translated = {k for k, v in catalogue().items() if v}
    missing = sorted(extracted_ids() - translated)
    assert missing == [], f"run pybabel extract/update and translate: {missing}"


def test_lifecycle_names_match_the_engines_chinese() -> None:
    zh = catalogue()
    pairs = [*STATE_LABELS.values(), *ROLE_LABELS.values(), *EXTENSION_GROUNDS.values()]
    pairs += [(r.label_zh, r.label_en) for r in TRANSITIONS]
    pairs += [(s.label_zh, s.label_en) for s in DEADLINE_SPECS]
    pairs += list(OTHER_LABELS.values())
    expected: dict[str, set[str]] = {}
    for zh_label, en in pairs:
        expected.setdefault(en, set()).add(zh_label)
    wrong = {en: zh.get(en) for en, options in expected.items() if zh.get(en) not in options}
    assert wrong == {}


def test_templates_hold_no_chinese_literals() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "templates/ui").glob("*.html"))
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if CJK.search(line)
    ]
    assert found == []


def test_placeholders_survive_translation() -> None:
    placeholder = re.compile(r"%\(\w+\)s")
    wrong = [
        en
        for en, zh in catalogue().items()
        if zh and sorted(placeholder.findall(en)) != sorted(placeholder.findall(zh))
    ]
    assert wrong == []


def test_the_committed_catalogue_is_compiled_from_the_po_file() -> None:
    """The wheel ships the compiled .mo: it must say what the .po says (run `make` after edits)."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    folder = ROOT / "admin/translations/zh_Hans_CN/LC_MESSAGES"
    with (folder / "messages.po").open("rb") as po:
        catalog = read_po(po)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    assert (folder / "messages.mo").read_bytes() == compiled.getvalue()
