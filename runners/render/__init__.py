"""The SOP as documents and diagrams: HTML/PDF (the official document), Markdown,
Mermaid, Graphviz dot and BPMN 2.0, all from the same SOP file that runs.

``render(spec, fmt)`` is the one entry point; each format lives in its own
module and is imported only when asked for.
"""

from __future__ import annotations

from engine.spec import SopSpec
from engine.text import Text
from runners.render.paint import RunPaint, StepState

FORMATS = ("html", "pdf", "md", "mermaid", "dot", "bpmn")
__all__ = ["FORMATS", "RunPaint", "StepState", "render"]


def render(spec: SopSpec, fmt: str, paint: RunPaint | None = None,
           logo: str | None = None) -> str | bytes:
    """The SOP in ``fmt`` (one of FORMATS); PDF is bytes, the others text. ``logo`` is the
    unit's logo as a data URI (``engine.logo.logo_data_uri``) for the HTML and PDF."""
    if fmt == "html":
        from runners.render.html import render_html

        return render_html(spec, paint, logo)
    if fmt == "pdf":
        from runners.render.html import render_html
        from runners.render.pdf import render_pdf

        return render_pdf(render_html(spec, paint, logo))
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
    raise ValueError(Text("unknown format `{format}`; accepted: {accepted}", format=fmt,
                          accepted=", ".join(FORMATS)))
