"""Documents: the SOP list, each SOP's official document (the same HTML as `alur sop render`,
printable) with its PDF and BPMN downloads, and a run's report on the page (with the state
of its audit trail) and as XLSX and CSV downloads."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import HTMLResponse, Response

from engine import task_reads
from runners.web.page import Page, attachment
from runners.web.security import DOCUMENT_CSP

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sop_list(page: Page) -> Response:
    """GET /sop: the workspace's SOPs."""
    return page.render("sops.html", sops=page.web.sops(), tab="sop")


def _logo(page: Page, sop_id: str) -> tuple[object, str | None]:
    from engine.logo import logo_data_uri

    loaded = page.web.sop(sop_id)
    folder = Path(loaded.path).absolute().parent
    return loaded, logo_data_uri(loaded.spec.organization.logo, (folder, folder.parent))


def _sop_id(page: Page) -> str:
    return str(page.request.path_params["sop_id"])


def sop_document(page: Page) -> Response:
    """GET /sop/{sop}: the official SOP document, under a policy allowing its inline styles."""
    from engine.loader import LoadedSop
    from runners.render import render

    loaded, logo = _logo(page, _sop_id(page))
    assert isinstance(loaded, LoadedSop)
    html = render(loaded.spec, "html", None, logo)
    return page.finish(HTMLResponse(str(html), headers={"Content-Security-Policy":
                                                        DOCUMENT_CSP}))


def sop_pdf(page: Page) -> Response:
    """GET /sop/{sop}.pdf: the official document as PDF (a download)."""
    from engine.loader import LoadedSop
    from runners.render import render

    sop_id = _sop_id(page)
    loaded, logo = _logo(page, sop_id)
    assert isinstance(loaded, LoadedSop)
    pdf = render(loaded.spec, "pdf", None, logo)
    assert isinstance(pdf, bytes)
    return page.finish(Response(pdf, media_type="application/pdf", headers={
        "Content-Disposition": attachment(f"{loaded.spec.id}.pdf")}))


def sop_bpmn(page: Page) -> Response:
    """GET /sop/{sop}.bpmn: the SOP as BPMN 2.0 XML (a download)."""
    from runners.render import render

    loaded = page.web.sop(_sop_id(page))
    xml = str(render(loaded.spec, "bpmn"))
    return page.finish(Response(xml.encode("utf-8"), media_type="application/xml", headers={
        "Content-Disposition": attachment(f"{loaded.spec.id}.bpmn")}))


def _run_id(page: Page) -> int:
    return int(page.request.path_params["run_id"])


def report_page(page: Page) -> Response:
    """GET /laporan/{run}: planned against actual working time, and the audit trail's state."""
    from runners.json_shapes import report_json
    from runners.reports import summary

    run_id = _run_id(page)
    web, person = page.web, page.person_id
    shown = web.read(lambda store: task_reads.report_page(store, web.env, run_id, person))
    data = report_json(shown.view, web.tz)
    return page.render("report.html", shown=shown, view=shown.view,
                       summary=summary(data).split("\n"), tab="run")


def _report_data(page: Page) -> dict[str, object]:
    from runners.json_shapes import report_json

    run_id = _run_id(page)
    web, person = page.web, page.person_id
    view = web.read(lambda store: task_reads.report_of(store, web.env, run_id, person))
    return report_json(view, web.tz)


def report_xlsx(page: Page) -> Response:
    """GET /laporan/{run}.xlsx: the report as an Excel workbook."""
    from runners.reports import report_xlsx as workbook

    data = _report_data(page)
    return page.finish(Response(workbook(data), media_type=XLSX, headers={
        "Content-Disposition": attachment(f"laporan-run-{data['run']}.xlsx")}))


def report_csv(page: Page) -> Response:
    """GET /laporan/{run}.csv: the report as CSV (as Excel in Indonesia reads it)."""
    from runners.reports import report_csv as table

    data = _report_data(page)
    return page.finish(Response(table(data).encode("utf-8"), media_type="text/csv; "
                                "charset=utf-8", headers={
        "Content-Disposition": attachment(f"laporan-run-{data['run']}.csv")}))
