"""Find what a page shows that is not plain English: ISO dates, Python and JSON text,
internal identifiers and code lists, in the words a reader sees.

A code may still be shown where a reader asks for it: inside a GOV.UK "Details"
component (``<details>``) or marked up as code (``<code>``). Text inside ``<script>``,
``<style>``, ``<template>``, ``<head>`` and ``<textarea>`` is not read as the page's words,
and neither is any attribute (links, ``data-*``, ``datetime``).

``findings(html, codes=...)`` returns one line per problem; a test asserts it is empty.
``crawl(client)`` walks the pages a signed-in user reaches from the home page, for a test
to check each (``core/tests/test_plain_english.py``).
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from typing import Any

from sightline.returns import codes as code_lists

# Elements whose text a reader does not see as the page's words, or sees only on asking.
_SET_ASIDE = frozenset({"details", "code", "script", "style", "template", "head", "textarea"})

_CHECKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an ISO date", re.compile(r"(?<!\d)\d{4}-\d{2}-\d{2}(?!\d)")),
    ("an ISO time", re.compile(r"\b\d{2}:\d{2}:\d{2}\b|\bT\d{2}:\d{2}")),
    ("a 24-hour time", re.compile(r"\b[0-2]\d:[0-5]\d\b")),
    (
        "a shortened month or day",
        re.compile(
            r"\b\d{1,2} (?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b"
            r"|\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{1,2}\b"
        ),
    ),
    (
        "a Python value",
        re.compile(
            r"datetime\.(?:date|datetime|time)\(|<\w+(?: \w+)* object at 0x|<QuerySet"
            r"|\bUUID\('|Decimal\('|\{'\w+': |\[\('"
        ),
    ),
    ("JSON", re.compile(r"\{\s*\"[^\"]+\"\s*:|\[\s*\{\s*\"|\[\s*\"[^\"]*\"\s*,")),
    # A file's name, as its sender named it (``cin_census.xml``), is theirs, not ours.
    ("an internal identifier", re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b(?!\.\w)")),
    ("a blank value", re.compile(r"^\s*(?:null|undefined|nan|NaN)\s*$")),
)

#: Codes from the DfE's lists that mean nothing on their own to a reader: child protection
#: categories, primary need, closure reasons, 903 legal statuses and placements. (Single
#: letters and bare numbers are left out: they are words and numbers too often.)
DFE_CODES: frozenset[str] = frozenset(
    code
    for table in (
        code_lists.CP_CATEGORY,
        code_lists.PRIMARY_NEED,
        code_lists.CLOSURE_REASON,
        code_lists.LEGAL_STATUS,
        code_lists.PLACEMENT,
    )
    for code in table
    if len(code) > 1 and not code.isdigit()
)


@dataclass(frozen=True)
class Finding:
    what: str
    text: str

    def __str__(self) -> str:
        return f"{self.what}: {self.text!r}"


@dataclass(frozen=True)
class Page:
    url: str
    html: str


class _VisibleText(HTMLParser):
    """The text nodes a reader sees as the page's words, each on its own."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SET_ASIDE:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _SET_ASIDE and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth and data.strip():
            self.texts.append(" ".join(data.split()))


def visible_texts(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return parser.texts


def findings(html: str, *, codes: Iterable[str] = ()) -> list[Finding]:
    """What in ``html``'s visible words is not plain English. ``codes`` are further codes
    that must not stand for a name (agency codes, for instance), matched as whole words."""
    code_words = sorted({*DFE_CODES, *codes}, key=len, reverse=True)
    code_pattern = (
        re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, code_words)) + r")(?![\w-])")
        if code_words
        else None
    )
    found: list[Finding] = []
    for text in visible_texts(html):
        for what, pattern in _CHECKS:
            if pattern.search(text):
                found.append(Finding(what, text))
        if code_pattern and code_pattern.search(text):
            found.append(Finding("a code", text))
    return found


# Links a crawl does not follow: signing out, the API and its documentation, static files,
# downloads (exports, PDFs, images).
_NOT_PAGES = re.compile(
    r"^/(?:logout|api|static|healthz)\b|\.(?:csv|pdf|json|xml|zip|png|svg)(?:\?|$)"
    r"|/export|/download|/pdf\b"
)
_LINK = re.compile(r'(?:href|hx-get)="(/[^"#]*)')
_IDS = (
    re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
    re.compile(r"(?<=/)\d+(?=/)"),
)


def page_kind(url: str) -> str:
    """``/people/<id>/`` for ``/people/1b2c.../?page=2``: pages of one kind."""
    path = url.split("?")[0]
    for ids in _IDS:
        path = ids.sub("<id>", path)
    return path


def crawl(client: Any, *, start: str = "/", depth: int = 3, per_kind: int = 1) -> Iterator[Page]:
    """The HTML pages a signed-in ``client`` (Django's test client) reaches from ``start``
    by following links and htmx panel loads, breadth first, at most ``per_kind`` of each
    kind (``page_kind``). Only GET requests; pages that refuse (403, 404) are left out."""
    seen: set[str] = set()
    kinds: dict[str, int] = {}
    queue = [(start, 0)]
    while queue:
        url, level = queue.pop(0)
        kind = page_kind(url)
        if url in seen or kinds.get(kind, 0) >= per_kind:
            continue
        seen.add(url)
        kinds[kind] = kinds.get(kind, 0) + 1
        response = client.get(url, secure=True)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        yield Page(url, html)
        if level < depth:
            for link in _LINK.findall(html):
                link = unescape(link)
                if link not in seen and not _NOT_PAGES.search(link):
                    queue.append((link, level + 1))
