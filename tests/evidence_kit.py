"""Real files of every kind evidence may be (and some it may not), made here: PDF, JPEG and
PNG, docx and xlsx (openpyxl's own, and packages laid out as Word and LibreOffice lay
them out), odt and ods (with their `mimetype` entry stored, as the standard says, and
deflated, as some tools write it)."""

from __future__ import annotations

import io
import zipfile

OOXML_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
               'openxmlformats.org/package/2006/content-types"><Default Extension="xml" '
               'ContentType="application/xml"/><Override PartName="/{part}" '
               'ContentType="{main}"/></Types>')
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"


def package(entries: list[tuple[str, str | bytes]], store_first: bool = False) -> bytes:
    """A zip of ``entries`` in order; the first one stored uncompressed if asked."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for index, (name, content) in enumerate(entries):
            method = zipfile.ZIP_STORED if store_first and index == 0 else zipfile.ZIP_DEFLATED
            zf.writestr(name, content, compress_type=method)
    return buffer.getvalue()


def pdf(text: str = "Laporan") -> bytes:
    """A small valid PDF with one page."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def image(kind: str) -> bytes:
    """A small photo, ``JPEG`` or ``PNG``."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, kind)
    return buffer.getvalue()


def xlsx() -> bytes:
    """A workbook as openpyxl writes it."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Capaian", 95])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def docx(main: str = DOCX_MAIN, big_first_part: bool = False) -> bytes:
    """A Word document (``main``: its main part's content type); ``big_first_part`` puts a
    large part and several others before the document, beyond where a signature is read."""
    first = [("docProps/app.xml", "<Properties>" + "x" * 9000 + "</Properties>"),
             ("docProps/core.xml", "<cp/>"), ("customXml/item1.xml", "<x/>")] \
        if big_first_part else []
    return package([*first, ("[Content_Types].xml",
                             OOXML_TYPES.format(part="word/document.xml", main=main)),
                    ("_rels/.rels", "<Relationships/>"),
                    ("word/document.xml", "<w:document/>")])


def xlsx_like_libreoffice() -> bytes:
    """A workbook laid out as LibreOffice writes it (the workbook before the types)."""
    return package([("_rels/.rels", "<Relationships/>"), ("docProps/app.xml", "<P/>"),
                    ("xl/workbook.xml", "<workbook/>"),
                    ("xl/worksheets/sheet1.xml", "<worksheet/>"),
                    ("[Content_Types].xml",
                     OOXML_TYPES.format(part="xl/workbook.xml", main=XLSX_MAIN))])


def opendocument(kind: str, stored: bool = True) -> bytes:
    """An OpenDocument ``text`` or ``spreadsheet``, its `mimetype` first."""
    return package([("mimetype", f"application/vnd.oasis.opendocument.{kind}"),
                    ("content.xml", "<office:document-content/>"),
                    ("META-INF/manifest.xml", "<manifest/>")], store_first=stored)


ACCEPTED = {  # name -> (content, the media type it is recognised as)
    "laporan.pdf": (pdf(), "application/pdf"),
    "foto.jpg": (image("JPEG"), "image/jpeg"),
    "layar.png": (image("PNG"), "image/png"),
    "surat.docx": (docx(), "application/vnd.openxmlformats-officedocument."
                           "wordprocessingml.document"),
    "surat-word.docx": (docx(big_first_part=True), "application/vnd.openxmlformats-"
                                                   "officedocument.wordprocessingml.document"),
    "rekap.xlsx": (xlsx(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "rekap-lo.xlsx": (xlsx_like_libreoffice(),
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "surat.odt": (opendocument("text"), "application/vnd.oasis.opendocument.text"),
    "surat-deflated.odt": (opendocument("text", stored=False),
                           "application/vnd.oasis.opendocument.text"),
    "rekap.ods": (opendocument("spreadsheet"), "application/vnd.oasis.opendocument.spreadsheet"),
}
REFUSED = {  # name -> content
    "makro.docm": docx(DOCM_MAIN),
    "arsip.zip": package([("a.txt", "isi")]),
    "presentasi.odp": opendocument("presentation"),
    "halaman.html": b"<html><script>alert(1)</script></html>",
    "catatan.txt": b"Catatan rapat",
    "gambar.gif": b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04"
                  b"\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
    "program.exe": b"MZ\x90\x00" + b"\x00" * 200,
    "rusak.docx": b"PK\x03\x04" + b"\x00" * 100,  # a zip signature and nothing behind it
}
