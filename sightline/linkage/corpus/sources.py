"""Names and places the corpus draws from (see the package docstring for the sources)."""

import functools
import itertools
from dataclasses import dataclass

import jellyfish


@dataclass(frozen=True)
class Pool:
    """Values with cumulative weights, for ``random.choices(values, cum_weights=...)``."""

    values: tuple[str, ...]
    cumulative: tuple[float, ...]


def _pool(weighted: list[tuple[str, float]]) -> Pool:
    merged: dict[str, float] = {}
    for value, weight in weighted:
        merged[value] = merged.get(value, 0.0) + weight
    values = tuple(merged)
    return Pool(values, tuple(itertools.accumulate(merged[v] for v in values)))


# Given names by rank are drawn with weight 1/rank**ZIPF. With 1/rank the first of
# Faker's 182 English names took 16% of draws (every sixth boy a David), far more than
# any name in England (the most given name of a year is about 2-4% of births); the
# source's few hundred names stand for thousands, so the weights are flattened to
# 1/sqrt(rank): the first name 3.4%.
ZIPF = 0.5


def _zipf(names: tuple[str, ...] | list[str], share: float) -> list[tuple[str, float]]:
    """Names in rank order weighted 1/rank**ZIPF, scaled to ``share`` of the draws."""
    weights = [1 / rank**ZIPF for rank in range(1, len(names) + 1)]
    total = sum(weights)
    return [(name, share * w / total) for name, w in zip(names, weights, strict=True)]


# Shares of names by origin (roughly England's: most names are English; Polish and
# Nigerian names are the two largest groups Faker has data for).
ENGLISH, POLISH, NIGERIAN = 0.9, 0.06, 0.04


@functools.cache
def given_names(sex: str) -> Pool:
    from faker.providers.person.en_GB import Provider as English
    from faker.providers.person.en_NG import Provider as Nigerian
    from faker.providers.person.pl_PL import Provider as Polish

    attribute = "first_names_female" if sex == "F" else "first_names_male"
    return _pool(
        _zipf(getattr(English, attribute), ENGLISH)
        + _zipf(getattr(Polish, attribute), POLISH)
        + _zipf(getattr(Nigerian, attribute), NIGERIAN)
    )


@functools.cache
def family_names() -> Pool:
    from faker.providers.person.en_GB import Provider as English
    from faker.providers.person.en_NG import Provider as Nigerian
    from faker.providers.person.pl_PL import Provider as Polish

    english = dict(English.last_names)
    total = sum(english.values())
    return _pool(
        [(name, ENGLISH * share / total) for name, share in english.items()]
        + _zipf(Polish.male_last_names, POLISH)
        + _zipf(list(Nigerian.last_names), NIGERIAN)
    )


@functools.cache
def nicknames_of() -> dict[str, tuple[str, ...]]:
    """Formal name (lower case) -> its nicknames and diminutives (``nicknames`` dataset).
    One-letter forms and forms equal to the name are left out."""
    from nicknames import name_triplets

    table: dict[str, list[str]] = {}
    for triplet in name_triplets():
        formal, nick = triplet.name1.lower(), triplet.name2.lower()
        if len(nick) > 1 and nick != formal:
            table.setdefault(formal, []).append(nick)
    return {formal: tuple(sorted(set(nicks))) for formal, nicks in table.items()}


@functools.cache
def _variant_groups() -> dict[str, frozenset[str]]:
    """Name (lower case) -> every name it shares a group with, a group being one formal
    name of the dataset with its nicknames (a name may be in several groups)."""
    groups: dict[str, set[str]] = {}
    for formal, nicks in nicknames_of().items():
        group = {formal, *nicks}
        for name in group:
            groups.setdefault(name, set()).update(group)
    return {name: frozenset(group) for name, group in groups.items()}


def variants(left: str, right: str) -> bool:
    """Whether two given names are one name or variants of one name (``nicknames``
    dataset), read in either direction: the same name; one a nickname or diminutive of
    the other (Samuel and Sam, and Sam and Samuel; Maureen and Mary); two nicknames of
    one formal name (Kate and Katie, of Katherine). Two formal names that only share a
    nickname are two names (Alexander and Alexandra, both Alex)."""
    a, b = left.lower(), right.lower()
    return a == b or b in _variant_groups().get(a, frozenset())


def sound_alike(left: str, right: str) -> bool:
    """Whether two given names are spellings of one sound (Metaphone, Lawrence Philips'
    1990 phonetic code, from ``jellyfish``): Phillip and Philip, Steven and Stephen,
    Catherine and Katherine, Jon and John. The name-frequency source lists such
    spellings as names of their own; the ``nicknames`` dataset does not pair them."""
    a, b = jellyfish.metaphone(left), jellyfish.metaphone(right)
    return bool(a) and a == b


# Post towns and their postcode areas (Royal Mail's postcode areas in England).
TOWNS: tuple[tuple[str, str], ...] = (
    ("LS", "Leeds"),
    ("BD", "Bradford"),
    ("HX", "Halifax"),
    ("WF", "Wakefield"),
    ("HD", "Huddersfield"),
    ("S", "Sheffield"),
    ("M", "Manchester"),
    ("OL", "Oldham"),
    ("BL", "Bolton"),
    ("L", "Liverpool"),
    ("B", "Birmingham"),
    ("WV", "Wolverhampton"),
    ("NG", "Nottingham"),
    ("LE", "Leicester"),
    ("NE", "Newcastle upon Tyne"),
    ("SR", "Sunderland"),
    ("BS", "Bristol"),
    ("E", "London"),
    ("N", "London"),
    ("SE", "London"),
)
STREET_WORDS: tuple[str, ...] = (
    "Church", "Station", "Park", "Victoria", "Mill", "Green", "Manor", "Queens", "Kings",
    "Albert", "Grange", "School", "North", "South", "New", "Springfield", "Windsor",
    "Highfield", "Meadow", "Oak", "Elm", "Ash", "Beech", "Cedar", "Willow", "Chapel",
    "Bridge", "Forest", "Orchard", "Hawthorn", "Rose", "Cross", "Market", "Hill", "Moor",
    "Holly", "Stanley", "York", "Mount", "Brook", "Castle", "Farm", "Lime", "Sycamore",
)  # fmt: skip
STREET_TYPES: tuple[str, ...] = (
    "Road", "Street", "Lane", "Avenue", "Close", "Drive", "Way", "Crescent", "Court",
    "Grove", "Place", "Gardens", "Terrace", "View", "Walk", "Rise", "Mews",
)  # fmt: skip
BUILDINGS: tuple[str, ...] = (
    "Tower House", "Park Court", "Mill House", "Victoria Mansions", "Lime Court",
    "Riverside House", "Foyer Hostel", "Eden House", "Queens Court", "Station House",
)  # fmt: skip
# Unit letters of an inward code (Royal Mail leaves out C, I, K, M, O and V).
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
