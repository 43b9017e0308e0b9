"""What ``sightline bench-load`` and its locustfile share: the loopback rule, the one-time
codes the simulated practitioners type, reading the pages they follow, and the figures.

Pure: no Django, no locust (importing locust patches the standard library with gevent,
which the benchmark command and the test process must not have).
"""

import hashlib
import hmac
import ipaddress
import re
import struct
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

from sightline.chronology.benchmark import percentile

# What each request of a journey is, for the audit check: a record read writes one
# ``view_person`` or ``view_chronology`` row, a search one ``search`` row.
READ = "read"
SEARCH = "search"
OTHER = "other"

# The page names the simulated practitioners use (the rows of the printed table).
SIGN_IN_PAGE = "sign in: page"
SIGN_IN_PASSWORD = "sign in: password (POST)"  # noqa: S105 - a page's name
SIGN_IN_REDIRECT = "sign in: redirect to code"
SIGN_IN_CODE_PAGE = "sign in: code page"
SIGN_IN_CODE = "sign in: code (POST)"
HOME = "home"
SEARCH_FORM = "search: form"
SEARCH_RESULTS = "search: results"
CHILD_PAGE = "child's page"
CHRONOLOGY_PAGE = "chronology: another page"
CHRONOLOGY_FILTER = "chronology: filtered"

SIGN_IN_PAGES = frozenset(
    {SIGN_IN_PAGE, SIGN_IN_PASSWORD, SIGN_IN_REDIRECT, SIGN_IN_CODE_PAGE, SIGN_IN_CODE}
)


def panel_page(slug: str) -> str:
    return f"child's page: {slug} panel"


class NotLoopbackError(ValueError):
    """The load would leave this machine."""


def loopback_host(host: str) -> str:
    """The host name or address of ``host`` (a name, an address or a URL) if it is this
    machine's loopback; otherwise ``NotLoopbackError``.

    Only ``localhost`` and loopback addresses (127.0.0.0/8, ::1) pass: the load run must
    never reach another machine.
    """
    text = host.strip()
    if "//" in text:
        name = urlsplit(text).hostname or ""
    elif text.startswith("["):
        name = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        name = text.split(":", 1)[0]
    else:
        name = text
    name = name.strip().lower()
    if name == "localhost":
        return name
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        raise NotLoopbackError(f"{host!r} is not a loopback address") from None
    if not address.is_loopback:
        raise NotLoopbackError(f"{host!r} is not a loopback address")
    return name


def totp(key_hex: str, *, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """The RFC 6238 code an authenticator app shows for a django-otp TOTP device's key."""
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(bytes.fromhex(key_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


# -- reading pages -----------------------------------------------------------------------------


@dataclass
class FormField:
    name: str
    kind: str  # input type, "select" or "textarea"
    value: str
    checked: bool = False
    # For a select: the values of its options.
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    attrs: dict[str, str]
    fields: list[FormField] = field(default_factory=list)

    def values(self) -> list[tuple[str, str]]:
        """What a browser would send for the form as it stands."""
        sent: list[tuple[str, str]] = []
        for f in self.fields:
            if f.kind in {"checkbox", "radio"}:
                if f.checked:
                    sent.append((f.name, f.value or "on"))
            elif f.kind not in {"submit", "button", "reset", "file", "image"}:
                sent.append((f.name, f.value))
        return sent

    def choices(self, name: str) -> list[str]:
        """The values of the checkboxes or radios called ``name``."""
        return [f.value for f in self.fields if f.name == name and f.kind in {"checkbox", "radio"}]

    def names(self) -> list[str]:
        return [f.name for f in self.fields]


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(attrs=a)
            self.forms.append(self._form)
            return
        if self._form is None or (tag != "option" and not a.get("name")):
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            self._form.fields.append(
                FormField(a["name"], kind, a.get("value", ""), checked="checked" in a)
            )
        elif tag == "select":
            self._select = FormField(a["name"], "select", "")
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            self._select.options.append(value)
            if "selected" in a or not self._select.value:
                self._select.value = value
        elif tag == "textarea":
            self._textarea = FormField(a["name"], "textarea", "")
            self._form.fields.append(self._textarea)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data


def forms(html: str) -> list[Form]:
    """Every form in ``html`` with its fields, as a browser would see them."""
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def form_with_id(html: str, form_id: str) -> Form | None:
    """The form with ``id="form_id"``: only its own markup is parsed (pages are long)."""
    start = re.search(rf'<form\b[^>]*\bid="{re.escape(form_id)}"', html)
    if start is None:
        return None
    end = html.find("</form>", start.start())
    found = forms(html[start.start() : end + len("</form>") if end >= 0 else len(html)])
    return found[0] if found else None


def form_with_field(html: str, name: str) -> Form | None:
    """The first form that has a field called ``name``."""
    return next((f for f in forms(html) if name in f.names()), None)


_ANCHOR = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.DOTALL)
_ATTR = re.compile(r'([\w:-]+)="([^"]*)"')
_TAG_WITH_HX_GET = re.compile(r"<[a-z]+\b[^>]*\bhx-get=\"[^\"]*\"[^>]*>")


def _attrs(text: str) -> dict[str, str]:
    return {k: unescape(v) for k, v in _ATTR.findall(text)}


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def link_named(html: str, text: str) -> str | None:
    """The address of the first link whose text is ``text`` (what a user clicks on)."""
    for attrs, inner in _ANCHOR.findall(html):
        if _text(inner) == text:
            href = _attrs(attrs).get("href")
            if href:
                return href
    return None


def load_triggered(html: str) -> list[str]:
    """The ``hx-get`` addresses htmx fetches as soon as the page loads (lazy panels)."""
    found = []
    for tag in _TAG_WITH_HX_GET.findall(html):
        attrs = _attrs(tag)
        if attrs.get("hx-trigger", "").split(",")[0].strip() == "load":
            found.append(attrs["hx-get"])
    return found


def pagination_links(html: str) -> dict[str, str]:
    """The chronology's page links as htmx follows them: ``rel`` (prev, next) or the page
    number, to the ``hx-get`` address."""
    links: dict[str, str] = {}
    for attrs_text, inner in _ANCHOR.findall(html):
        attrs = _attrs(attrs_text)
        if "govuk-pagination__link" not in attrs.get("class", "") or "hx-get" not in attrs:
            continue
        key = attrs.get("rel") or _text(inner)
        links[key] = attrs["hx-get"]
    return links


# -- figures -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """One request as the simulated practitioner saw it."""

    name: str
    kind: str  # READ, SEARCH or OTHER
    ms: float
    ok: bool
    status: int
    error: str = ""
    # When the request was sent (seconds since the epoch).
    at: float = 0.0


@dataclass(frozen=True)
class PageFigures:
    name: str
    requests: int
    failures: int
    p50_ms: float
    p95_ms: float
    max_ms: float

    @property
    def sign_in(self) -> bool:
        return self.name in SIGN_IN_PAGES


def figures(samples: Iterable[Sample]) -> list[PageFigures]:
    """Per page: requests, failures, p50, p95 (nearest rank) and max, in first-seen order."""
    by_name: dict[str, list[Sample]] = {}
    for sample in samples:
        by_name.setdefault(sample.name, []).append(sample)
    return [_figures(name, rows) for name, rows in by_name.items()]


def overall(name: str, samples: Sequence[Sample]) -> PageFigures:
    return _figures(name, list(samples))


def after_sign_in(samples: Sequence[Sample]) -> list[Sample]:
    """The requests sent once every user had signed in (the last code accepted): the
    steady part of the run, without the burst of password checks at the start."""
    ends = [s.at + s.ms / 1000 for s in samples if s.name == SIGN_IN_CODE]
    if not ends:
        return list(samples)
    signed_in = max(ends)
    return [s for s in samples if s.at >= signed_in]


def _figures(name: str, rows: list[Sample]) -> PageFigures:
    times = [r.ms for r in rows] or [0.0]
    return PageFigures(
        name=name,
        requests=len(rows),
        failures=sum(1 for r in rows if not r.ok),
        p50_ms=percentile(times, 0.5),
        p95_ms=percentile(times, 0.95),
        max_ms=max(times),
    )
