"""Fixtures for the case: a fixed today, and an open episode of need for the child."""

import datetime as dt

import pytest
import time_machine

from sightline.audit.actions import Origin
from sightline.cases import actions
from sightline.cases.models import EpisodeOfNeed

# Monday 2 March 2026: working-day counts and "not in the future" checks stay put.
TODAY = dt.date(2026, 3, 2)
PAGE = Origin(via="page")


@pytest.fixture(autouse=True)
def _fixed_today():
    with time_machine.travel(dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture(autouse=True)
def _plain_http(settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


@pytest.fixture
def episode(child, social_worker) -> EpisodeOfNeed:
    """An episode of need opened by the allocated worker on a referral from a school."""
    return actions.open_episode_of_need(
        actor=social_worker,
        origin=PAGE,
        child=child,
        referral_date=dt.date(2026, 2, 2),
        referral_source="2A",
        primary_need="N1",
    )
