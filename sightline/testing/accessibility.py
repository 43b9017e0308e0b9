"""axe-core in the browser tests: every page a test visits is checked, and a test fails
if any page had a serious or critical violation.

The axe-core script comes with the PyPI package ``axe-playwright-python`` (pinned in
requirements-dev.txt; nothing is fetched at run time). ``watch(page)`` adds it to the
page's context as an init script with a small runner: on each document's ``load`` the
runner runs axe and reports the violations back to Python through an exposed binding,
so pages reached by a click or a form post are checked without the test asking.
``check(page)`` runs axe on the page as it is now (after an htmx swap, say); the
``page`` fixture calls it once more at the end of the test, for the last page.
"""

import json
from dataclasses import dataclass, field
from typing import Any

# axe's impact levels the tests refuse.
REFUSED = frozenset({"serious", "critical"})
# What axe checks: WCAG 2.2 A and AA, as the public sector accessibility regulations ask.
RUN_OPTIONS: dict[str, Any] = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
# One known exception, narrowly: GOV.UK Frontend's conditional reveal sets aria-expanded
# on radios and checkboxes, which axe calls critical (aria-allowed-attr). The Design
# System keeps it on purpose, after research with screen reader users, and lists the axe
# error as a known issue (alphagov/govuk-frontend#979, #1280; PR #2823 declined). Only
# that attribute, on GOV.UK radio and checkbox inputs, is let through.
_KNOWN_GOVUK_ISSUE = "aria-allowed-attr"
_GOVUK_INPUTS = ("govuk-radios__input", "govuk-checkboxes__input")
_BINDING = "__sightlineAxeReport"
_RUNNER_TEMPLATE = """
(() => {
  if (window.top !== window) return;  // frames are checked as part of their page
  // A page is checked once it is still: no htmx request, swap or settle under way and no
  // CSS transition or animation running. The chronology fades its results to half
  // opacity while a filter loads, and axe measuring contrast mid-fade failed a test once.
  // Waits at most two seconds, then checks the page as it is.
  window.__sightlineAxeSettled = () => new Promise((resolve) => {
    const deadline = performance.now() + 2000;
    const still = () =>
      !document.querySelector(".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added") &&
      document.getAnimations().every((a) => a.playState !== "running");
    const poll = () => (still() || performance.now() > deadline)
      ? resolve() : setTimeout(poll, 20);
    poll();
  });
  window.addEventListener("load", () => {
    setTimeout(() => {
      if (!window.axe || !window.__BINDING__) return;
      // One run of axe at a time: axe refuses a second while one runs ("Axe is already
      // running"), and check() may ask while this one does. Runs queue on one promise.
      const run = () => window.__sightlineAxeSettled().then(
        () => window.axe.run(document, __OPTIONS__)
      ).then(
        (results) => window.__BINDING__(location.href, results.violations),
        () => {}
      );
      window.__sightlineAxeQueue = (window.__sightlineAxeQueue || Promise.resolve()).then(run, run);
    }, 0);
  });
})();
"""
_RUNNER = _RUNNER_TEMPLATE.replace("__BINDING__", _BINDING).replace(
    "__OPTIONS__", json.dumps(RUN_OPTIONS)
)


@dataclass(frozen=True)
class Violation:
    url: str
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]

    def __str__(self) -> str:
        where = ", ".join(self.targets[:3])
        return f"{self.url}: {self.impact} {self.rule} ({self.help}) at {where}"


@dataclass
class Findings:
    pages: list[str] = field(default_factory=list)  # every page checked, in order
    violations: list[Violation] = field(default_factory=list)

    def record(self, url: str, raw: list[dict[str, Any]]) -> None:
        self.pages.append(url)
        for item in raw:
            nodes = [node for node in item.get("nodes", []) if not _known_govuk_issue(item, node)]
            if item.get("impact") in REFUSED and nodes:
                targets = tuple(" ".join(str(t) for t in node.get("target", [])) for node in nodes)
                self.violations.append(
                    Violation(url, item["id"], item["impact"], item.get("help", ""), targets)
                )

    def refused(self) -> list[str]:
        """Each refused violation once (a page checked twice reports it twice)."""
        return list(dict.fromkeys(str(v) for v in self.violations))


def _known_govuk_issue(item: dict[str, Any], node: dict[str, Any]) -> bool:
    """aria-expanded, and nothing else, on a GOV.UK conditional-reveal radio or checkbox."""
    if item.get("id") != _KNOWN_GOVUK_ISSUE:
        return False
    html = str(node.get("html", ""))
    if not any(name in html for name in _GOVUK_INPUTS):
        return False
    failing = [
        attribute
        for check in (*node.get("any", []), *node.get("all", []), *node.get("none", []))
        for attribute in (check.get("data") or [])
    ]
    return bool(failing) and all(str(a).startswith("aria-expanded") for a in failing)


def axe_script() -> str:
    from axe_playwright_python.base import AXE_SCRIPT  # type: ignore[import-untyped]

    return str(AXE_SCRIPT)


def watch(context: Any) -> Findings:
    """Check every page the context loads from now on; the findings collect as it goes."""
    findings = Findings()
    context.expose_binding(_BINDING, lambda source, url, raw: findings.record(url, raw))
    context.add_init_script(axe_script())
    context.add_init_script(_RUNNER)
    return findings


def check(page: Any, findings: Findings) -> list[Violation]:
    """Run axe on the page as it is now; returns (and records) the refused violations."""
    if page.url in ("", "about:blank"):
        return []
    # Queued behind a run the load handler may have started (one run at a time).
    raw = page.evaluate(
        """(options) => {
          if (!window.axe) return null;
          const settled = window.__sightlineAxeSettled || (() => Promise.resolve());
          const run = () => settled()
            .then(() => window.axe.run(document, options))
            .then((r) => r.violations);
          const next = (window.__sightlineAxeQueue || Promise.resolve()).then(run, run);
          window.__sightlineAxeQueue = next.catch(() => {});
          return next;
        }""",
        RUN_OPTIONS,
    )
    if raw is None:  # a page without the init script (a download, an error page)
        return []
    before = len(findings.violations)
    findings.record(page.url, raw)
    return findings.violations[before:]


def assert_accessible(page: Any) -> None:
    """Fail now if the page as it is has a serious or critical violation."""
    findings: Findings = page.accessibility_findings
    found = check(page, findings)
    if found:
        raise AssertionError("axe-core found:\n" + "\n".join(str(v) for v in found))
