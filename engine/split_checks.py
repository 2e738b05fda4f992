"""Parallel branches (`next: [a, b]`): where each split joins, and the rules of the format.

The join of a split is its nearest post-dominator: the first activity that
every path from the split to the end passes. A branch is every activity
reachable from the branch's first activity without passing the join. The
rules (spec/sop-format.md, "Work in parallel"): the branches meet before
`end`; no branch loops out of itself, jumps into another or is entered from
outside; an inner split joins inside its own branch. Each problem is placed at
the `next` that causes it (the split's own `next` when it is about the split).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.flow_graph import END, immediate_post_dominator, post_dominators, reach, reverse
from engine.spec import SplitSpec
from engine.text import Text

if TYPE_CHECKING:
    from engine.checker import Checker
    from engine.flow_checks import Exits, Row
    from engine.yaml_tree import Node


class _Flow:
    """The activities of one SOP file with their exits and where each is written."""

    def __init__(self, rows: list[Row], outcomes: list[Exits | None]) -> None:
        self.order: list[str] = []
        self.rows: dict[str, Row] = {}
        self.edges: dict[str, list[str]] = {}
        self.splits: list[tuple[str, tuple[str, ...]]] = []
        for row, exits in zip(rows, outcomes, strict=True):
            activity_id = row[1].get("id")
            if not activity_id or activity_id in self.rows or exits is None:
                continue
            self.order.append(activity_id)
            self.rows[activity_id] = row
            self.edges[activity_id] = list(dict.fromkeys(o.target for o in exits.outcomes))
            if exits.split:
                self.splits.append((activity_id, tuple(o.target for o in exits.outcomes)))

    def position(self, activity_id: str) -> int:
        """Where the activity stands in the file."""
        return self.order.index(activity_id)

    def first(self, ids: set[str]) -> str:
        """The one of ``ids`` written first in the file."""
        return min(ids, key=self.position)

    def edge_error(self, c: Checker, source: str, target: str, message: str) -> None:
        """An error at the place in `next` of ``source`` that leads to ``target``."""
        item, _values, nodes = self.rows[source]
        node = nodes.get("next")
        if node is None or node.is_null:
            c.error_at_item(item, message)  # the default `next`: the following activity
            return
        spot: Node = node
        if node.kind == "map":
            spot = next((v for _k, v in node.pairs if _target_text(v) == target), node)
        elif node.kind == "seq":
            spot = next((i for i in node.items if _target_text(i) == target), node)
        c.error(spot, message)

    def split_error(self, c: Checker, split: str, message: str) -> None:
        """An error at the `next` key of a split."""
        _item, _values, nodes = self.rows[split]
        c.error(nodes["key:next"], message)

    def branch_error(self, c: Checker, split: str, branch: str, message: str) -> None:
        """An error at one branch of a split's list."""
        self.edge_error(c, split, branch, message)


def _target_text(node: Node) -> str:
    text = node.text.strip() if node.kind == "scalar" else ""
    return END if text.startswith(f"{END}:") else text


def _no_meeting(c: Checker, flow: _Flow, split: str, branches: tuple[str, ...]) -> None:
    """The branches never meet before `end`: say which branch ends, and where."""
    reached = [reach(b, flow.edges) - {END} for b in branches]
    common = set.intersection(*reached)
    names = ", ".join(f"`{b}`" for b in branches)
    if not common:
        flow.split_error(c, split, Text("the branches {branches} of the split at `{split}` "
                                        "never meet again before `end`; lead every branch to "
                                        "the activity where they join", branches=names,
                                        split=split))
        return
    join = flow.first(common)
    for branch in branches:
        region = reach(branch, flow.edges, avoid=join)
        ending = sorted((a for a in region if END in flow.edges.get(a, ())),
                        key=flow.position)
        if ending:
            flow.edge_error(c, ending[0], END, Text(
                "branch `{branch}` of the split at `{split}` ends the run at `{ending}` before "
                "the branches meet at `{join}`; every branch must reach the join before `end`",
                branch=branch, split=split, ending=ending[0], join=join))
            return
    flow.split_error(c, split, Text("the branches {branches} of the split at `{split}` do not "
                                    "all meet at one activity before `end`", branches=names,
                                    split=split))


def _check_one(c: Checker, flow: _Flow, split: str, branches: tuple[str, ...],
               pdom: dict[str, frozenset[str]], dom: dict[str, frozenset[str]]
               ) -> SplitSpec | None:
    join = immediate_post_dominator(split, pdom)
    if join is None or join == END:
        _no_meeting(c, flow, split, branches)
        return None
    if join in branches:
        flow.branch_error(c, split, join, Text(
            "branch `{branch}` of the split at `{split}` is where the other branches meet (the "
            "join); a branch needs an activity of its own before the join", branch=join,
            split=split))
        return None
    regions = {b: reach(b, flow.edges, avoid=join) for b in branches}
    for branch, region in regions.items():
        # a loop out of the branch makes activities of the branch reachable without the split
        back = {a for a in region if a == split or split not in dom.get(a, ())}
        if back:
            for source in sorted(region - back, key=flow.position):
                target = next((t for t in flow.edges[source] if t in back), None)
                if target is not None:
                    flow.edge_error(c, source, target, Text(
                        "`{source}` in branch `{branch}` of the split at `{split}` goes back to "
                        "`{target}`, out of its branch; a loop in a branch must stay in that "
                        "branch (the branches meet at `{join}`)", source=source, branch=branch,
                        split=split, target=target, join=join))
                    return None
    for index, first in enumerate(branches):
        for second in branches[index + 1:]:
            if not regions[first] & regions[second]:
                continue
            for one, other in ((first, second), (second, first)):
                for source in sorted(regions[one] - regions[other], key=flow.position):
                    target = next((t for t in flow.edges[source] if t in regions[other]),
                                  None)
                    if target is not None:
                        flow.edge_error(c, source, target, Text(
                            "`{source}` in branch `{branch}` of the split at `{split}` jumps "
                            "into branch `{other}` (to `{target}`); branches meet only at their "
                            "join `{join}`", source=source, branch=one, split=split,
                            other=other, target=target, join=join))
                        return None
    inside = set().union(*regions.values())
    for source in flow.order:
        if source in inside or source == split:
            continue
        for target in flow.edges[source]:
            if target in inside:
                branch = next(b for b in branches if target in regions[b])
                flow.edge_error(c, source, target, Text(
                    "`{source}` leads into branch `{branch}` of the split at `{split}` (to "
                    "`{target}`); a branch is entered only through its split `{split}`",
                    source=source, branch=branch, split=split, target=target))
                return None
    return SplitSpec(split, branches, join, frozenset(inside))


def check_splits(c: Checker, rows: list[Row], outcomes: list[Exits | None]
                 ) -> tuple[SplitSpec, ...]:
    """Find each split's join and check the rules of parallel branches."""
    flow = _Flow(rows, outcomes)
    if not flow.splits:
        return ()
    pdom = post_dominators(flow.edges)
    dom = post_dominators(reverse(flow.edges), root=flow.order[0])
    found = [s for s in (_check_one(c, flow, split, branches, pdom, dom)
                         for split, branches in flow.splits) if s is not None]
    for outer in found:
        for inner in found:
            if inner is outer or inner.activity not in outer.region:
                continue
            branch = next(b for b in outer.branches
                          if inner.activity in reach(b, flow.edges, avoid=outer.join))
            if inner.join not in reach(branch, flow.edges, avoid=outer.join):
                flow.split_error(c, inner.activity, Text(
                    "the split at `{inner}` inside branch `{branch}` of the split at `{outer}` "
                    "must join inside that branch, before `{outer_join}`; its branches meet only "
                    "at `{inner_join}`", inner=inner.activity, branch=branch,
                    outer=outer.activity, outer_join=outer.join, inner_join=inner.join))
    return tuple(found)
