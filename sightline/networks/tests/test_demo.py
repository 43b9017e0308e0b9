import datetime as dt

import pytest

from sightline.audit.actions import CLI
from sightline.networks.demo import DemoNetworksError, load_demo_networks
from sightline.networks.models import Association, ConcernFlag, Context, EventLocation
from sightline.networks.tests.conftest import event
from sightline.testing import factories

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 6, 1)


def test_it_needs_the_demo_data_first(db):
    with pytest.raises(DemoNetworksError, match="load the demo data first"):
        load_demo_networks(origin=CLI, seed=1, as_of=AS_OF)


def test_it_needs_three_exploited_children(agencies, police_officer, team_manager):
    child = factories.PersonFactory.create(date_of_birth=dt.date(2010, 1, 1))
    event(child, agencies["POLICE"], "exploitation_intelligence")
    with pytest.raises(DemoNetworksError, match="fewer than 3 exploited children"):
        load_demo_networks(origin=CLI, seed=1, as_of=AS_OF)
    assert Context.objects.count() == 0


def test_it_groups_the_exploited_children_with_places_and_adults_once(
    agencies, police_officer, team_manager
):
    police = agencies["POLICE"]
    children = [
        factories.PersonFactory.create(date_of_birth=dt.date(2010, 1, 1), postcode="LS7 9JR")
        for _ in range(6)
    ]
    for n, child in enumerate(children):
        event(child, police, "missing_episode", at=dt.datetime(2025, 3, n + 1, 22, tzinfo=dt.UTC))
    adult = factories.PersonFactory.create(date_of_birth=dt.date(1980, 1, 1))
    factories.SourceRecordFactory.create(person=adult, agency=police)
    result = load_demo_networks(origin=CLI, seed=1, as_of=AS_OF)
    assert (result.groups, result.children) == (1, 6)  # a group of 2 joins the one before
    assert Context.objects.count() == 2
    assert ConcernFlag.objects.filter(person=adult).exists()
    assert EventLocation.objects.count() == 6
    assert Association.objects.filter(nature="exploited_by", other_person=adult).count() == 2
    assert Association.objects.filter(nature="missing_from").count() == 6
    with pytest.raises(DemoNetworksError, match="already loaded"):
        load_demo_networks(origin=CLI, seed=1, as_of=AS_OF)
