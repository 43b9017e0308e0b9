"""The pack: a PDF of the person's records and a zip of the records (CSV and JSON per
agency, and the PDF), from gathered records already redacted.

The PDF is rendered by weasyprint from a self-contained template with a URL fetcher
that refuses every URL (as ``incidents.exports``): whatever the records say, the PDF
never reaches the network or the file system.
"""

import csv
import datetime as dt
import io
import json
import re
import zipfile
from dataclasses import dataclass
from typing import Any

import weasyprint
from django.template.loader import render_to_string

from sightline.subjectaccess.gathering import Gathered, Table


class NoFetching(weasyprint.URLFetcher):  # type: ignore[misc]
    """Refuses every URL (http, https, file, data): the pack is self-contained."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        raise ValueError(f"Sightline PDFs do not fetch resources ({url[:80]})")


@dataclass(frozen=True)
class Pack:
    reference: str
    html: str
    pdf: bytes
    zip: bytes
    files: tuple[str, ...]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "agency"


def _csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    # Cells that a spreadsheet would run as formulas are quoted with a leading '.
    writer.writerows(
        [f"'{cell}" if cell[:1] in ("=", "+", "-", "@") else cell for cell in row]
        for row in table.rows
    )
    return out.getvalue().encode("utf-8")


def render_html(gathered: Gathered, *, reference: str, produced_on: dt.date) -> str:
    return render_to_string(
        "subjectaccess/pdf/pack.html",
        {"gathered": gathered, "reference": reference, "produced_on": produced_on},
    )


def build(gathered: Gathered, *, reference: str, produced_on: dt.date) -> Pack:
    """The pack of ``gathered`` (already redacted): HTML, PDF and zip."""
    html = render_html(gathered, reference=reference, produced_on=produced_on)
    pdf = weasyprint.HTML(string=html, base_url=None, url_fetcher=NoFetching()).write_pdf()
    assert isinstance(pdf, bytes)  # noqa: S101 - write_pdf() without a target returns bytes
    buffer = io.BytesIO()
    names: list[str] = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(name: str, data: bytes) -> None:
            names.append(name)
            archive.writestr(name, data)

        add(f"{reference}.pdf", pdf)
        add("person.csv", _csv(gathered.identity))
        for section in gathered.agencies:
            folder = _slug(section.code or section.name)
            document: dict[str, object] = {
                "agency": {"code": section.code, "name": section.name},
                "tables": {table.slug: table.as_dicts() for table in section.tables},
            }
            add(
                f"{folder}/records.json",
                json.dumps(document, indent=2, ensure_ascii=False).encode("utf-8"),
            )
            for table in section.tables:
                add(f"{folder}/{table.slug}.csv", _csv(table))
    return Pack(reference=reference, html=html, pdf=pdf, zip=buffer.getvalue(), files=tuple(names))
