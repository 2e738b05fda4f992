"""The SOP document as PDF: the HTML of ``runners.render.html`` printed by WeasyPrint.

WeasyPrint is optional (``pip install 'alur[pdf]'``) and heavy, so it is
imported only here, inside the function; without it ``--format html`` still
works and prints from any browser.
"""

from __future__ import annotations

import logging

from engine.errors import AlurError
from engine.text import Text


class PdfUnavailable(AlurError, RuntimeError):
    """PDF output was asked for but WeasyPrint is not installed (its message a ``Text``,
    said in the language in use where it is shown)."""

    def __init__(self) -> None:
        super().__init__(Text("PDF output needs WeasyPrint: pip install 'alur[pdf]' "
                              "(or use `--format html`, which needs nothing more, and print it "
                              "from a browser)"))


def render_pdf(html: str) -> bytes:
    """Print the self-contained SOP HTML to PDF bytes (A4 pages as its @page rules say)."""
    try:
        import weasyprint
    except ImportError as exc:
        raise PdfUnavailable() from exc
    # WeasyPrint logs every unsupported CSS property at WARNING; the document uses only
    # what it supports, so keep its chatter out of the CLI's output.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf
