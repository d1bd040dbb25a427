"""The lifecycle diagram, laid out by Graphviz from the transition table.

Each state is a node whose SVG id is ``state-<name>``, so the case page can
highlight the case's state with CSS; each arrow carries the names of the
triggers that take a case from one state to the other.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache

import graphviz

from engine.states import FINAL_STATES, OPEN_STATES, TRANSITIONS, CaseState

FONT = "Noto Sans CJK SC"
#: a trigger open from this many states or more is drawn once, from "any open state"
MANY_SOURCES = 4


class DiagramUnavailable(Exception):
    """Graphviz's ``dot`` is not installed."""


@cache
def lifecycle_svg(
    state_names: tuple[tuple[str, str], ...],
    trigger_names: tuple[tuple[str, str], ...],
    any_open_state: str,
) -> str:
    """The diagram as inline SVG, with the given state and trigger names (one per language)."""
    states = dict(state_names)
    triggers = dict(trigger_names)
    graph = graphviz.Digraph("lifecycle", format="svg")
    graph.attr(rankdir="LR", bgcolor="transparent", nodesep="0.25", ranksep="0.45")
    graph.attr(
        "node",
        shape="box",
        style="rounded,filled",
        fillcolor="#ffffff",
        color="#6c757d",
        fontname=FONT,
        fontsize="11",
    )
    graph.attr("edge", color="#adb5bd", fontname=FONT, fontsize="9", fontcolor="#495057")
    for state in CaseState:
        graph.node(
            state.value,
            states[state.value],
            id=f"state-{state.value}",
            peripheries="2" if state in FINAL_STATES else "1",
        )
    edges: dict[tuple[str, str], list[str]] = defaultdict(list)
    for rule in TRANSITIONS:
        if rule.dest is None:  # recorded, but the state stays: no arrow
            continue
        if len(rule.sources) >= MANY_SOURCES and set(rule.sources) <= OPEN_STATES:
            edges[("any_open", rule.dest.value)].append(triggers[rule.trigger])
            continue
        for source in rule.sources:
            edges[(source.value, rule.dest.value)].append(triggers[rule.trigger])
    if any(source == "any_open" for source, _ in edges):
        graph.node("any_open", any_open_state, id="state-any-open", style="dashed,rounded")
    for (source, dest), names in edges.items():
        graph.edge(source, dest, label="\n".join(names))
    try:
        svg = graph.pipe(encoding="utf-8")
    except graphviz.ExecutableNotFound as err:
        raise DiagramUnavailable(str(err)) from None
    # inline: no XML prolog or doctype, and let CSS size it
    svg = svg[svg.index("<svg") :]
    # Graphviz writes "-" in ids as "&#45;"; plain ids keep the markup greppable
    svg = svg.replace('id="state&#45;', 'id="state-')
    # each node's and arrow's <title> is its internal name, shown on hover: drop them
    svg = re.sub(r"<title>[^<]*</title>", "", svg)
    return re.sub(
        r'<svg width="[^"]*" height="[^"]*"', '<svg class="doudi-lifecycle"', svg, count=1
    )
