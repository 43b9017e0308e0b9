"""The axe-core helper the browser tests share: it checks each page loaded, by itself,
and refuses serious and critical violations only."""

import pytest

from sightline.testing import accessibility

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

BAD = (
    "<!DOCTYPE html><html lang='en'><head><title>Bad</title></head><body><main>"
    "<h1>Bad</h1><img src='/x.png'><a href='/next'>Next</a></main></body></html>"
)
GOOD = (
    "<!DOCTYPE html><html lang='en'><head><title>Good</title></head><body><main>"
    "<h1>Good</h1><img src='/x.png' alt='A chart'>"
    # GOV.UK Frontend's conditional reveal: aria-expanded on a radio (a known issue).
    "<fieldset><legend>Consent</legend>"
    "<input class='govuk-radios__input' type='radio' id='c1' name='c' value='y' "
    "aria-controls='reveal' aria-expanded='false'><label for='c1'>Yes</label>"
    "<div id='reveal'>More</div></fieldset></main></body></html>"
)


def serve(context, pages):
    def fulfil(route):
        path = route.request.url.removeprefix("http://a11y.test")
        if path in pages:
            route.fulfill(status=200, content_type="text/html", body=pages[path])
        else:
            route.fulfill(status=404, content_type="text/plain", body="")

    context.route("http://a11y.test/**", fulfil)


def test_every_page_loaded_is_checked_and_an_image_without_alt_text_is_refused(browser):
    context = browser.new_context()
    try:
        findings = context.accessibility_findings  # the browser fixture watches each context
        serve(context, {"/": BAD, "/next": GOOD})
        page = context.new_page()
        page.goto("http://a11y.test/")
        page.wait_for_function("() => document.readyState === 'complete'")
        page.get_by_role("link", name="Next").click()  # reached by a click, not by the test
        page.wait_for_url("http://a11y.test/next")
        accessibility.check(page, findings)
        page.wait_for_timeout(200)
        assert "http://a11y.test/" in findings.pages
        assert "http://a11y.test/next" in findings.pages
        refused = findings.refused()
        # The image without alt text is refused; GOV.UK's aria-expanded on a radio is not.
        assert len(refused) == 1, refused
        assert refused[0].startswith("http://a11y.test/: critical image-alt")
        page.goto("http://a11y.test/")
        page.accessibility_findings = findings
        with pytest.raises(AssertionError, match="image-alt"):
            accessibility.assert_accessible(page)
        findings.violations.clear()  # planted on purpose: not this test's failure
    finally:
        context.close()
