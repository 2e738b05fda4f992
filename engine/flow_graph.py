"""The flow of an SOP as a graph: reachability, where parallel branches meet, the critical path.

A graph maps each activity id to its targets (activity ids, or ``end`` for every
way the run can end). Everything here is iterative, so a long SOP cannot
exhaust the stack, and pure: the loader uses it to check splits, the spec to
give its total standard time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from engine.durations import Duration

if TYPE_CHECKING:
    from engine.spec import SopSpec

END = "end"
NOMINAL_DAY_MINUTES = 450  # to compare paths mixing days and minutes (07:30-16:00, 1 h break)
Graph = Mapping[str, Iterable[str]]


def reach(start: str, edges: Graph, avoid: str | None = None) -> set[str]:
    """Every node reachable from ``start`` (itself included), never passing ``avoid``."""
    if start == avoid:
        return set()
    seen = {start}
    todo = [start]
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in seen and target != avoid:
                seen.add(target)
                todo.append(target)
    return seen


def reverse(edges: Graph) -> dict[str, set[str]]:
    """The graph with every edge turned around."""
    back: dict[str, set[str]] = {}
    for source, targets in edges.items():
        for target in targets:
            back.setdefault(target, set()).add(source)
    return back


def post_dominators(edges: Graph, root: str = END) -> dict[str, frozenset[str]]:
    """For each node that can reach ``root``: the nodes every path from it to ``root`` passes.

    The classic data-flow fixpoint, visiting nodes in reverse order of their
    distance to ``root`` so that it settles in a few rounds. On the reversed
    graph with the first activity as ``root`` it gives the dominators.
    """
    back = reverse(edges)
    order: list[str] = []
    seen = {root}
    frontier = [root]
    while frontier:  # breadth-first from the end, backwards
        following: list[str] = []
        for node in frontier:
            for source in sorted(back.get(node, ())):
                if source not in seen:
                    seen.add(source)
                    order.append(source)
                    following.append(source)
        frontier = following
    everything = frozenset(seen)
    pdom: dict[str, frozenset[str]] = dict.fromkeys(order, everything)
    pdom[root] = frozenset({root})
    changed = True
    while changed:
        changed = False
        for node in order:
            targets = [pdom[t] for t in edges.get(node, ()) if t in pdom]
            common = frozenset.intersection(*targets) if targets else frozenset()
            value = common | {node}
            if value != pdom[node]:
                pdom[node] = value
                changed = True
    return pdom


def immediate_post_dominator(node: str, pdom: Mapping[str, frozenset[str]]) -> str | None:
    """The nearest node that every path from ``node`` to the end passes (``end`` at worst)."""
    below = pdom.get(node)
    if below is None:
        return None
    others = below - {node}
    return max(others, key=lambda n: len(pdom[n])) if others else None


def _weight(duration: Duration | None) -> float:
    if duration is None:
        return 0.0
    return duration.minutes + float(duration.days) * NOMINAL_DAY_MINUTES


def critical_path(spec: SopSpec) -> Duration:
    """The standard time of the longest path from the first activity to the end.

    Loops back (rework) are not taken: an edge to an activity still open on the
    depth-first path from the first activity is a loop. Branches of a split
    run at the same time, so a path goes through the longest branch only.
    """
    edges = {a.id: [o.target for o in a.outcomes] for a in spec.activities}
    durations = {a.id: a.duration for a in spec.activities}
    first = spec.activities[0].id
    forward: dict[str, list[str]] = {n: [] for n in edges}
    order: list[str] = []  # post-order: every node after all it leads to
    state: dict[str, int] = {first: 1}  # 1 open, 2 done
    stack: list[tuple[str, int]] = [(first, 0)]
    while stack:
        node, index = stack.pop()
        targets = edges[node]
        if index < len(targets):
            stack.append((node, index + 1))
            target = targets[index]
            if target == END or target not in edges:
                continue
            if state.get(target) == 1:
                continue  # a loop back
            forward[node].append(target)
            if target not in state:
                state[target] = 1
                stack.append((target, 0))
            continue
        state[node] = 2
        order.append(node)
    best: dict[str, tuple[float, Duration]] = {}  # only nodes with a forward path to the end
    for node in order:
        tails = [best[t] for t in forward[node] if t in best]
        if END in edges[node]:
            tails.append((0.0, Duration()))
        if not tails:
            continue  # only loops back from here: not on a path to the end
        weight, total = max(tails, key=lambda item: item[0])
        own = durations[node]
        best[node] = (weight + _weight(own), total + own if own is not None else total)
    return best[first][1] if first in best else Duration()
