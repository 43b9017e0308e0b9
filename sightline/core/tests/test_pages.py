import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import loader
from django.test import Client
from django.urls import reverse

from sightline.core.templatetags.sightline import nhs_number, thousands
from sightline.testing import factories

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR) / "sightline" / "static"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=", re.IGNORECASE)


class HttpsClient(Client):
    """A browser on HTTPS, as in production (plain HTTP is redirected)."""

    def generic(self, *args, **kwargs):
        kwargs["secure"] = True
        return super().generic(*args, **kwargs)


@pytest.fixture
def client() -> Client:
    return HttpsClient()


def assert_no_inline_code(html):
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html), INLINE_STYLE.search(html)


def test_the_login_page_is_govuk_styled_and_has_no_inline_code(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="govuk-input"' in html
    assert "/static/css/sightline.css" in html
    assert_no_inline_code(html)


def test_a_wrong_password_shows_an_error_summary(client, social_worker):
    response = client.post(reverse("login"), {"username": "sally.social", "password": "nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Enter a correct username and password" in html
    assert "<title>Error: Sign in" in html


def test_empty_fields_say_what_to_enter(client):
    html = client.post(reverse("login"), {}).content.decode()
    assert "Enter your username" in html
    assert "Enter your password" in html
    assert 'class="govuk-input govuk-input--error"' in html


def test_signing_in_goes_home_and_home_lists_the_children_i_work_with(client, social_worker, child):
    response = client.post(
        reverse("login"),
        {"username": "sally.social", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    html = client.get(reverse("home")).content.decode()
    assert "Hello, Sally" in html
    assert "Practitioner at Leeds Children&#x27;s Social Care, Assessment Team North" in html
    assert reverse("person-detail", kwargs={"public_id": child.public_id}) in html
    assert "Allocated social worker" in html
    assert_no_inline_code(html)


def test_home_lists_only_my_own_involvements(client, team_manager, teacher, child):
    for user in (team_manager, teacher):
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.context["children"] == []
        assert "You are not recorded as working with any child" in response.content.decode()


def test_home_lists_at_most_20_children(client, social_worker):
    for n in range(21):
        person = factories.PersonFactory.create(family_name=f"Many{n:02d}")
        factories.InvolvementFactory.create(person=person, practitioner=social_worker)
    client.force_login(social_worker)
    response = client.get(reverse("home"))
    assert len(response.context["children"]) == 20
    assert response.context["more_children"] is True


def test_navigation_offers_imports_only_to_users_of_an_agency(client, social_worker):
    client.force_login(social_worker)
    html = client.get(reverse("home")).content.decode()
    assert ">Import files" in html or "Import files\n" in html
    assert f'action="{reverse("logout")}"' in html

    agencyless = factories.UserFactory.create(agency=None)
    client.force_login(agencyless)
    response = client.get(reverse("home"))
    assert [item.text for item in response.context["navigation"]] == ["Home", "Find a child"]


def test_the_demo_banner_shows_in_demo_mode_only(client, social_worker, settings):
    client.force_login(social_worker)
    assert "Synthetic data only" not in client.get(reverse("home")).content.decode()
    settings.DEMO_MODE = True
    assert "Synthetic data only" in client.get(reverse("home")).content.decode()


def test_signed_out_visitors_see_no_navigation(client):
    response = client.get(reverse("login"))
    assert response.context["navigation"] == []
    assert "Sign out" not in response.content.decode()


def test_the_404_page_is_styled(client, social_worker):
    client.force_login(social_worker)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "govuk-template__body" in html


def test_the_500_page_renders_without_a_request():
    html = loader.get_template("500.html").render()
    assert "Sorry, there is a problem with the service" in html
    assert "Sign out" not in html
    assert_no_inline_code(html)


def test_the_stylesheet_uses_a_system_font_and_no_crown_or_crest():
    css = (STATIC / "css" / "sightline.css").read_text()
    assert "GDS Transport" not in css
    assert "font-family:system-ui" in css
    assert "govuk-crest" not in css
    referenced = set(re.findall(r"url\(/static/([^)]+)\)", css))
    assert referenced, "the CSS should refer to the MoJ images"
    assert all((STATIC / path).is_file() for path in referenced)
    assert ".moj-timeline" in css
    assert ".moj-filter" in css


def test_init_js_marks_the_body_and_starts_govuk_frontend():
    init = (STATIC / "js" / "init.js").read_text()
    assert 'import { initAll } from "./govuk-frontend.min.js"' in init
    assert 'classList.add("govuk-frontend-supported")' in init
    assert "initAll" in (STATIC / "js" / "govuk-frontend.min.js").read_text()
    assert "sourceMappingURL" not in (STATIC / "js" / "govuk-frontend.min.js").read_text()


@pytest.mark.parametrize(
    ("value", "shown"),
    [("9990000018", "999 000 0018"), ("", ""), ("12345", "12345"), (None, "")],
)
def test_nhs_numbers_are_shown_3_3_4(value, shown):
    assert nhs_number(value) == shown


def test_thousands():
    assert thousands(2000) == "2,000"
    assert thousands("x") == "x"
