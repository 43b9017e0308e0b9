"""Name knowledge: the curated ``nicknames`` dataset with England's local data files."""

import pytest
from nicknames import NickNamer

from sightline.linkage import nicknames


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("bill", "william"),  # from the dataset
        ("will", "bill"),  # two nicknames of one name
        ("jack", "john"),
        ("harry", "henry"),
        ("alfie", "alfred"),  # local additions: forms common in England
        ("mohammed", "muhammad"),
        ("rhys", "reece"),
        ("freya", "freyja"),
    ],
)
def test_it_reads_nicknames_and_variants_as_one_name(left, right):
    assert nicknames.variants(left, right)
    assert nicknames.variants(right, left)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("emily", "emma"),  # the dataset relates them (through Emeline too)
        ("amelia", "emily"),
        ("luke", "lucas"),
        ("leo", "leon"),  # through Leonard
        ("nathan", "jonathan"),
        ("ella", "bella"),
        ("olivia", "oliver"),
    ],
)
def test_it_keeps_two_names_in_their_own_right_apart(left, right):
    assert not nicknames.variants(left, right)


def test_it_adds_locally_only_what_the_dataset_lacks():
    dataset = NickNamer()
    for formal, form in nicknames.local_variants():
        known = ({formal} | dataset.canonicals_of(formal)) & ({form} | dataset.canonicals_of(form))
        assert not known, f"{formal}/{form} is in the nicknames dataset now: drop the line"


def test_it_drops_only_pairs_the_dataset_relates():
    dataset = NickNamer()
    for name, other in nicknames.distinct_pairs():
        related = ({name} | dataset.canonicals_of(name)) & ({other} | dataset.canonicals_of(other))
        assert related, f"{name}/{other} is not related by the dataset: drop the line"


def test_it_builds_the_table_from_a_lookup():
    table = nicknames.build(
        {"william": {"bill", "will"}, "emeline": {"emily", "emma"}},
        [("alfred", "alfie")],
        [("emily", "emma")],
    )
    assert table["bill"] == {"bill", "william"}
    assert table["alfie"] == {"alfie", "alfred"}
    assert not table["emily"] & table["emma"]


def test_it_reads_a_slip_in_a_name_it_does_not_know():
    assert "nicola" in nicknames.near_formal_names("nicolq")
    assert nicknames.near_formal_names("edwward") == ("edward",)
    # A known name, or a short one, is left as it is.
    assert nicknames.near_formal_names("nicola") == ()
    assert nicknames.near_formal_names("eda") == ()
