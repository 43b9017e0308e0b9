"""PDF exports of learning reports: weasyprint from a self-contained template.

The chart is embedded as a ``data:`` PNG, and the fetcher accepts the ``data:``
scheme only: nothing in a report can make the renderer read a file or reach the
network.
"""

import base64
from typing import Any

import weasyprint
from django.template.loader import render_to_string


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    html = render_to_string(template, context)
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"})
    pdf = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
    assert isinstance(pdf, bytes)  # noqa: S101 - write_pdf() without a target returns bytes
    return pdf
