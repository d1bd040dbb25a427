"""Smaller PDFs: each embedded font cut down to the glyphs drawn, renumbered from zero.

WeasyPrint subsets fonts but keeps every glyph's slot, so that the glyph
numbers already written in the pages stay valid. Noto CJK has ~63,000
glyphs: even a one-page notice then carries ~0.8 MB of empty slots per face
(~150 KB compressed), and a county's 315 notices weigh ~100 MB. This
finisher runs on WeasyPrint's PDF objects before they are written: for each
Type0 font with an Identity encoding it keeps only the glyphs the pages use,
numbers them 0, 1, 2 … and rewrites, consistently, the font program, its
widths (W), its ToUnicode map and every text operator that shows it. For a
CID-keyed CFF font the CIDs in its charset are renumbered too, so that
readers that look glyphs up by CID (through the charset) and readers that
take the code as the glyph index find the same glyph. Anything it does not
recognise is left exactly as WeasyPrint wrote it. Tests render documents
before and after with PDFium and Poppler and compare the pixels.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

import pydyf
import uharfbuzz as hb
from fontTools.ttLib import TTFont, TTLibError

log = logging.getLogger(__name__)

#: tables a PDF reader does not use from an embedded font (layout, vertical metrics, names)
DROPPED_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "JSTF", "DSIG", "VORG", "vhea", "vmtx", "gasp")
_HEX_RUN = re.compile(rb"<([0-9a-fA-F]*)>")
_BFCHAR = re.compile(rb"^<([0-9a-fA-F]{4})> (<[0-9a-fA-F]*>)$")

Mapping = dict[int, int]


def compact_fonts(document: Any, pdf: pydyf.PDF) -> None:
    """WeasyPrint finisher: replace each embedded font by a compact, renumbered subset."""
    objects = {o.number: o for o in pdf.objects if isinstance(o, pydyf.Object)}
    groups = _font_groups(pdf, objects)
    if not groups:
        return
    names = _resource_names(pdf, objects)
    streams = [o for o in pdf.objects if isinstance(o, pydyf.Stream) and o.number not in groups]
    drawn = _codes_drawn(streams)
    mappings: dict[str, Mapping] = {}
    for number, fonts in groups.items():
        font_names = [n for type0, _ in fonts for n in names.get(type0.number, ())]
        used = {0}
        for _, cid_font in fonts:
            used |= set(_widths(cid_font.get("W", [])))
        for name in font_names:
            used |= drawn.get(name, set())
        compacted = compact_font(objects[number].stream[0], used)
        if compacted is None:
            continue
        data, mapping = compacted
        _apply(objects, objects[number], fonts, data, mapping)
        for name in font_names:
            mappings[name] = mapping
    if mappings:
        for stream in streams:
            stream.stream = list(_remap_text(stream.stream, mappings))


def _font_groups(pdf: pydyf.PDF, objects: dict[int, Any]) -> dict[int, list[tuple[Any, Any]]]:
    """Font program object number -> the (Type0, CIDFont) dictionaries that use it."""
    groups: dict[int, list[tuple[Any, Any]]] = {}
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Dictionary) or obj.get("Subtype") != "/Type0":
            continue
        if obj.get("Encoding") != "/Identity-H":
            continue  # a font with glyphs missing carries a CMap of its own: left alone
        cid_font = _deref(objects, obj["DescendantFonts"][0])
        if cid_font is None or cid_font.get("CIDToGIDMap", "/Identity") != "/Identity":
            continue
        descriptor = _deref(objects, cid_font["FontDescriptor"])
        stream = (
            _deref(objects, descriptor.get("FontFile3") or descriptor.get("FontFile2"))
            if descriptor is not None
            else None
        )
        if isinstance(stream, pydyf.Stream) and len(stream.stream) == 1:
            groups.setdefault(stream.number, []).append((obj, cid_font))
    return groups


def _deref(objects: dict[int, Any], reference: Any) -> Any:
    """The object a reference (b"12 0 R") points to, or None."""
    if isinstance(reference, bytes) and reference.endswith(b" R"):
        return objects.get(int(reference.split()[0]))
    return None


def _apply(
    objects: dict[int, Any],
    program: pydyf.Stream,
    fonts: list[tuple[Any, Any]],
    data: bytes,
    mapping: Mapping,
) -> None:
    """Put the compact font program in place, with its widths and ToUnicode renumbered."""
    program.stream = [data]
    if "Length1" in program.extra:
        program.extra["Length1"] = len(data)
    for type0, cid_font in fonts:
        cid_font["W"] = _remapped_widths(cid_font.get("W", []), mapping)
        descriptor = _deref(objects, cid_font["FontDescriptor"])
        descriptor.pop("CIDSet", None)  # optional; it would list the old numbers
        to_unicode = _deref(objects, type0.get("ToUnicode"))
        if to_unicode is not None:
            to_unicode.stream = [_remap_bfchar(line, mapping) for line in to_unicode.stream]


def _codes_drawn(streams: Iterable[pydyf.Stream]) -> dict[str, set[int]]:
    """Font resource name -> every glyph number the content streams show with it."""
    drawn: dict[str, set[int]] = {}
    for stream in streams:
        current: set[int] | None = None
        for item in stream.stream:
            if isinstance(item, bytes) and item.endswith(b" Tf") and item.startswith(b"/"):
                name = item[1:].split(b" ", 1)[0].decode("latin-1")
                current = drawn.setdefault(name, set())
            elif current is not None and isinstance(item, bytes) and item.endswith(b"] TJ"):
                for run in _HEX_RUN.findall(item):
                    current.update(int(run[i : i + 4], 16) for i in range(0, len(run), 4))
    return drawn


def compact_font(data: bytes, used: set[int]) -> tuple[bytes, Mapping] | None:
    """The font with only ``used`` glyphs, and old glyph number -> new; None to keep it.

    HarfBuzz's subsetter (the one WeasyPrint uses, through uharfbuzz) keeps the
    glyphs asked for and numbers them in their old order from .notdef = 0.
    """
    try:
        face = hb.Face(hb.Blob(data))
        if max(used) >= face.glyph_count:
            return None
        plan = hb.SubsetInput()
        plan.sets(hb.SubsetInputSets.GLYPH_INDEX).update(sorted(used))
        for tag in DROPPED_TABLES:
            plan.sets(hb.SubsetInputSets.DROP_TABLE_TAG).add(_tag(tag))
        plan.flags = (
            hb.SubsetFlags.DESUBROUTINIZE
            | hb.SubsetFlags.NO_HINTING
            | hb.SubsetFlags.NOTDEF_OUTLINE
        )
        subset = hb.subset(face, plan)
        if subset is None:
            return None
        font = TTFont(io.BytesIO(subset.blob.data), recalcBBoxes=False, recalcTimestamp=False)
        if len(font.getGlyphOrder()) != len(used):
            return None
        if "CFF " in font:
            if not hasattr(font["CFF "].cff.topDictIndex[0], "ROS"):
                return None  # a name-keyed CFF font: glyphs found by name, left as it is
            _renumber_cids(font)
        out = io.BytesIO()
        font.save(out)
    except (TTLibError, KeyError, AssertionError, ValueError, IndexError) as err:
        log.warning("font left as WeasyPrint wrote it: %s", err)
        return None
    return out.getvalue(), {old: new for new, old in enumerate(sorted(used))}


def _tag(name: str) -> int:
    """An OpenType table tag as HarfBuzz numbers it."""
    return int.from_bytes(name.encode("ascii"), "big")


def _renumber_cids(font: TTFont) -> None:
    """Make each glyph's CID its glyph number, as CID-keyed readers look it up by CID."""
    for tag in list(font.keys()):  # decompile every table under the old names first
        if tag != "GlyphOrder":
            font[tag]
    order = font.getGlyphOrder()
    names = [".notdef"] + [f"cid{i:05d}" for i in range(1, len(order))]
    rename = dict(zip(order, names, strict=True))
    top = font["CFF "].cff.topDictIndex[0]
    charstrings = top.CharStrings
    charstrings.charStrings = {rename[k]: v for k, v in charstrings.charStrings.items()}
    top.charset = [rename[g] for g in top.charset]
    hmtx = font["hmtx"]
    hmtx.metrics = {rename[k]: v for k, v in hmtx.metrics.items()}
    for table in font["cmap"].tables:
        table.cmap = {code: rename[g] for code, g in table.cmap.items()}
    font.setGlyphOrder(names)


def _widths(array: Iterable[Any]) -> dict[int, Any]:
    """The glyph numbers and widths of a W array in WeasyPrint's form: start [w w w] …"""
    out: dict[int, Any] = {}
    items = list(array)
    for start, widths in zip(items[::2], items[1::2], strict=False):
        for offset, width in enumerate(widths):
            out[int(start) + offset] = width
    return out


def _remapped_widths(array: Iterable[Any], mapping: Mapping) -> pydyf.Array:
    """The W array for the renumbered glyphs."""
    widths = {mapping[g]: w for g, w in _widths(array).items() if g in mapping}
    out = pydyf.Array()
    for glyph in sorted(widths):
        if glyph - 1 not in widths:
            out.append(glyph)
            run = pydyf.Array()
            out.append(run)
        run.append(widths[glyph])
    return out


def _remap_bfchar(line: Any, mapping: Mapping) -> Any:
    """One line of a ToUnicode map, its glyph number renumbered."""
    if not isinstance(line, bytes):
        return line
    found = _BFCHAR.match(line)
    if found is None:
        return line
    new = mapping.get(int(found.group(1), 16))
    return line if new is None else b"<%04x> " % new + found.group(2)


def _resource_names(pdf: pydyf.PDF, objects: dict[int, Any]) -> dict[int, list[str]]:
    """Type0 font object number -> the names pages use for it (``/name size Tf``)."""
    out: dict[int, list[str]] = {}
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Dictionary):
            continue
        for key, value in obj.items():
            if isinstance(value, bytes) and value.endswith(b" R"):
                target = objects.get(int(value.split()[0]))
                if isinstance(target, pydyf.Dictionary) and target.get("Subtype") == "/Type0":
                    out.setdefault(target.number, []).append(str(key))
    return out


def _remap_text(items: Iterable[Any], mappings: dict[str, Mapping]) -> Iterable[Any]:
    """A content stream with the glyph numbers of its text renumbered, font by font."""
    current: Mapping | None = None
    for item in items:
        if isinstance(item, bytes) and item.endswith(b" Tf") and item.startswith(b"/"):
            current = mappings.get(item[1:].split(b" ", 1)[0].decode("latin-1"))
        elif current is not None and isinstance(item, bytes) and item.endswith(b"] TJ"):
            item = _HEX_RUN.sub(_renumbered(current), item)
        yield item


def _renumbered(mapping: Mapping) -> Callable[[re.Match[bytes]], bytes]:
    """A replacement for one <hex> run of 4-digit glyph numbers."""

    def replace(found: re.Match[bytes]) -> bytes:
        run = found.group(1)
        glyphs = (mapping[int(run[i : i + 4], 16)] for i in range(0, len(run), 4))
        return b"<" + b"".join(b"%04x" % g for g in glyphs) + b">"

    return replace
