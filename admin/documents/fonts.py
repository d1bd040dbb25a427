"""The fonts documents need, checked before anything is rendered.

Without a CJK font WeasyPrint prints empty boxes; without HarfBuzz's subset
library it falls back to fontTools and a 50-row notice takes ~13 s instead
of ~0.6 s. A name may hold characters beyond the common sets (䶮 in CJK
extension A, 𠀀 in extension B): each one must be in some installed font,
or the document is refused naming it, never printed with a blank.
"""

from __future__ import annotations

import ctypes.util
import shutil
import subprocess
from collections.abc import Iterable
from functools import cache

#: the families the stylesheet asks for (Debian: fonts-noto-cjk)
CJK_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")
CJK_PACKAGE = "fonts-noto-cjk"
#: Debian packages with the rarer CJK extensions (B and beyond)
RARE_PACKAGE = "fonts-hanazono"
SUBSET_PACKAGE = "libharfbuzz-subset0"


class FontProblem(Exception):
    """Documents cannot be printed properly here; the message says what to install or fix."""


def _fc_list(*args: str) -> list[str]:
    """Run fontconfig's fc-list and return its lines."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        raise FontProblem("fc-list is missing: install fontconfig (apt-get install fontconfig)")
    result = subprocess.run(  # noqa: S603  (a fixed program with arguments we build)
        [fc_list, *args], capture_output=True, text=True, check=False, timeout=30
    )
    return [line.strip() for line in result.stdout.splitlines() if line.strip()]


@cache
def installed_cjk_families() -> frozenset[str]:
    """The font families installed here that cover Chinese."""
    families: set[str] = set()
    for line in _fc_list(":lang=zh", "family"):
        families.update(name.strip() for name in line.split(","))
    return frozenset(families)


def ensure_cjk_font() -> None:
    """Refuse at once when no CJK font the documents use is installed."""
    if not set(CJK_FAMILIES) & installed_cjk_families():
        raise FontProblem(
            f"no CJK font for printing Chinese documents: install {CJK_PACKAGE} "
            f"(apt-get install {CJK_PACKAGE}); `make run` and `make test` install it"
        )


def harfbuzz_subset_available() -> bool:
    """Whether WeasyPrint can subset fonts with HarfBuzz (fast) rather than fontTools (slow)."""
    return ctypes.util.find_library("harfbuzz-subset") is not None


def subset_warning() -> str | None:
    """What to tell the operator at start-up when font subsetting will be slow."""
    if harfbuzz_subset_available():
        return None
    return (
        f"warning: {SUBSET_PACKAGE} is missing: documents will render about 20 times slower "
        f"(install it with apt-get install {SUBSET_PACKAGE})"
    )


def document_warnings() -> list[str]:
    """What the operator should know at start-up about printing documents here."""
    out = []
    try:
        ensure_cjk_font()
    except FontProblem as err:
        out.append(f"warning: {err}")
    warning = subset_warning()
    if warning:
        out.append(warning)
    return out


@cache
def _covered_by_some_font(char: str) -> bool:
    """Whether any installed font has a glyph for ``char`` (asked of fontconfig once each)."""
    return bool(_fc_list(f":charset={ord(char):x}", "family"))


@cache
def _common() -> frozenset[int]:
    """The code points of the primary CJK font (read once per process)."""
    from fontTools.ttLib import TTFont

    lines = _fc_list("-f", "%{file}:%{index}\n", CJK_FAMILIES[0])
    # fc-list prints one line per font file; the pattern makes fc-list match the family
    for line in lines:
        path, _, index = line.rpartition(":")
        try:
            with TTFont(path, fontNumber=int(index or 0), lazy=True) as font:
                return frozenset(font.getBestCmap() or {})
        except (OSError, ValueError):
            continue
    return frozenset()


def missing_characters(texts: Iterable[str]) -> list[str]:
    """The characters of ``texts`` that no installed font can print, in order of appearance."""
    common = _common()
    seen: set[str] = set()
    missing: list[str] = []
    for text in texts:
        for char in text:
            if char in seen or char.isspace() or ord(char) < 0x80 or ord(char) in common:
                continue
            seen.add(char)
            if not _covered_by_some_font(char):
                missing.append(char)
    return missing
