"""Fonts are checked before anything is printed: no PDF of empty boxes, ever."""

from __future__ import annotations

import pytest

from admin.documents import fonts
from admin.documents.fonts import FontProblem


def test_a_machine_without_a_cjk_font_is_told_to_install_fonts_noto_cjk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fonts, "installed_cjk_families", lambda: frozenset({"DejaVu Sans"}))
    with pytest.raises(FontProblem, match="fonts-noto-cjk"):
        fonts.ensure_cjk_font()
    assert any("fonts-noto-cjk" in w for w in fonts.document_warnings())


def test_this_machine_has_the_fonts_documents_use() -> None:
    fonts.ensure_cjk_font()
    assert fonts.harfbuzz_subset_available()  # `make` installs libharfbuzz-subset0
    assert fonts.document_warnings() == []


def test_a_missing_subset_library_is_reported_at_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "harfbuzz_subset_available", lambda: False)
    warning = fonts.subset_warning()
    assert warning is not None and "libharfbuzz-subset0" in warning


def test_characters_no_font_has_are_found_and_rare_ones_are_not_refused() -> None:
    # 䶮 (extension A) is in Noto CJK, 𠀀 (extension B) in HanaMin; U+E000 is private use
    assert fonts.missing_characters(["刘䶮", "王𠀀国", "plain ASCII", "张三"]) == []
    assert fonts.missing_characters(["王\ue000国", "\ue000"]) == ["\ue000"]


def test_without_fc_list_the_problem_names_fontconfig(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)
    with pytest.raises(FontProblem, match="fontconfig"):
        fonts._fc_list(":lang=zh")
