"""The network view in a real browser: drawn by cytoscape.js, filtered for the viewer,
and a click on a place opens it. The screenshot is kept in test-artifacts/."""

import datetime as dt

import pytest
from django.test import Client

from sightline.networks.models import Nature
from sightline.networks.tests.conftest import flag, link
from sightline.people.models import InvolvementRole
from sightline.testing import factories
from sightline.testing.browser import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login_cookie(user):
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def test_the_allocated_worker_sees_the_network_and_clicks_through_to_a_place(
    live_server, browser, agencies, social_worker, child, peer, adult, place
):
    police = agencies["POLICE"]
    factories.InvolvementFactory.create(
        person=peer,
        practitioner=social_worker,
        agency=agencies["CSC"],
        role=InvolvementRole.ALLOCATED_SOCIAL_WORKER,
        started_on=dt.date(2024, 1, 1),
    )
    friend = factories.PersonFactory.create(given_name="Sasha", family_name="Friendofpeer")
    link(child, agency=police, other=peer)
    link(peer, agency=police, other=friend)
    link(child, agency=police, other=adult, nature=Nature.EXPLOITED_BY)
    link(child, agency=police, context=place, nature=Nature.FOUND_AT)
    flag(police, person=adult, reason="Known to run a drugs line")
    flag(police, context=place, reason="Dealing")

    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en-GB")
    context.add_cookies(
        [{"name": "sessionid", "value": login_cookie(social_worker), "url": live_server.url}]
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        page.goto(f"{live_server.url}/networks/people/{child.public_id}/")
        page.wait_for_selector("#network[data-network-ready='true']")
        count = int(page.get_attribute("#network", "data-node-count") or "0")
        labels = page.evaluate(
            "document.getElementById('network').sightlineNetwork.nodes().map(n => n.data('label'))"
        )
        assert count == len(labels)
        assert {"Jamie Testchild", "Robin Peer", "Canal towpath"} <= set(labels)
        assert "1 person not shown" in labels
        assert not any("Dale" in label or "Sasha" in label for label in labels)
        assert "Adultofconcern" not in page.content()
        assert "Linked to an adult of concern" in page.inner_text("main")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "networks-child-network.png"), full_page=True)

        # Click the place on the canvas: it opens the place's page. The container is
        # scrolled into view first and cytoscape told (resize) so its cached position of
        # the canvas is fresh; the point is computed in the page in one go.
        page.locator("#network").scroll_into_view_if_needed()
        point = page.evaluate(
            """id => {
                const container = document.getElementById('network');
                const cy = container.sightlineNetwork;
                cy.resize();
                const box = container.getBoundingClientRect();
                const at = cy.getElementById(id).renderedPosition();
                return {x: box.left + container.clientLeft + at.x, y: box.top + container.clientTop + at.y};
            }""",
            f"c:{place.pk}",
        )
        with page.expect_navigation(url=f"**/networks/contexts/{place.public_id}/"):
            page.mouse.click(point["x"], point["y"])
        assert page.locator("h1").inner_text() == "Canal towpath"
        assert errors == []
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "networks-child-network-failure.png"), full_page=True)
        raise
    finally:
        context.close()
