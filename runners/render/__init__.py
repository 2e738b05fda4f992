"""The SOP as documents and diagrams: HTML/PDF (the official document), Markdown,
Mermaid, Graphviz dot and BPMN 2.0, all from the same SOP file that runs.

``render(spec, fmt)`` is the one entry point; each format lives in its own
module and is imported only when asked for.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from engine.spec import SopSpec

FORMATS = ("html", "pdf", "md", "mermaid", "dot", "bpmn")
StepState = Literal["done", "active", "overdue", "not_reached"]


@dataclass(frozen=True, slots=True)
class RunPaint:
    """A run's state to paint on the flowchart (`alur run show RUN --format html`).

    ``states`` maps each activity id to its state in the run: the latest
    attempt decides (a step done and then reworked is ``active`` again), and
    of its tasks the most urgent (overdue, then active, then done).
    ``actor_states`` maps an activity id to the state of each actor's own task
    in that attempt (``complete: each``: one task per actor, or per holder of
    the one role), so that every acting column is painted by its own task.
    """

    run_id: int
    unit: str
    period: str
    status: str
    states: Mapping[str, StepState] = field(default_factory=dict)
    shown_at: dt.datetime | None = None
    actor_states: Mapping[str, Mapping[str, StepState]] = field(default_factory=dict)


def render(spec: SopSpec, fmt: str, paint: RunPaint | None = None) -> str | bytes:
    """The SOP in ``fmt`` (one of FORMATS); PDF is bytes, the others text."""
    if fmt == "html":
        from runners.render.html import render_html

        return render_html(spec, paint)
    if fmt == "pdf":
        from runners.render.html import render_html
        from runners.render.pdf import render_pdf

        return render_pdf(render_html(spec, paint))
    if fmt == "md":
        from runners.render.markdown import render_markdown

        return render_markdown(spec)
    if fmt == "mermaid":
        from runners.render.diagrams import render_mermaid

        return render_mermaid(spec)
    if fmt == "dot":
        from runners.render.diagrams import render_dot

        return render_dot(spec)
    if fmt == "bpmn":
        from runners.render.bpmn import render_bpmn

        return render_bpmn(spec)
    raise ValueError(f"unknown format {fmt!r}; accepted: {', '.join(FORMATS)}")
