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


def _every_edit(name: str) -> set[str]:
    """Every string one edit from ``name`` (the lookup's reference: made one by one)."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    splits = [(name[:i], name[i:]) for i in range(len(name) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in letters}
    inserts = {a + c + b for a, b in splits for c in letters}
    return (deletes | transposes | replaces | inserts) - {name}


def test_the_known_names_one_edit_away_are_those_every_edit_finds():
    import random

    rng = random.Random(4)
    known = sorted(nicknames._known())
    # "l.r." is known: a dot is not a letter put in or in place of another.
    names = [*rng.sample(known, 300), "", "a", "nicolq", "edwward", "lr.", "l.r", "kxc."]
    for name in list(names[:300]):
        at = rng.randrange(len(name) + 1)
        names.append(name[:at] + rng.choice("abcxyz '") + name[at + 1 :])  # a slip
        names.append(name[:at] + rng.choice("qz-") + name[at:])  # a letter put in
    found = 0
    for name in names:
        assert nicknames.one_edit_from(name) == _every_edit(name) & set(known), name
        found += bool(nicknames.one_edit_from(name))
    assert found > 300
