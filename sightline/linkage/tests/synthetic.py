"""Small synthetic households for linkage tests: twins, siblings, a parent and a child
sharing a name, and each child recorded by several agencies with typical errors.

Deterministic for a seed. Synthetic data only; NHS numbers from the 999 test range.
"""

import datetime as dt
import random
from dataclasses import dataclass

from sightline.linkage.features import IdentityRecord
from sightline.people import normalise

GIVEN_F = [
    "olivia",
    "amelia",
    "isla",
    "ava",
    "mia",
    "ivy",
    "lily",
    "grace",
    "freya",
    "ella",
    "sophie",
    "emily",
    "chloe",
    "megan",
    "hannah",
    "amy",
    "zara",
    "aisha",
    "fatima",
    "ruby",
    "daisy",
    "poppy",
    "evie",
    "rosie",
    "jessica",
    "rebecca",
    "elizabeth",
    "katherine",
]
GIVEN_M = [
    "oliver",
    "george",
    "harry",
    "noah",
    "jack",
    "leo",
    "arthur",
    "oscar",
    "charlie",
    "jacob",
    "thomas",
    "alexander",
    "william",
    "james",
    "samuel",
    "daniel",
    "joseph",
    "benjamin",
    "matthew",
    "edward",
    "henry",
    "ryan",
    "kyle",
    "liam",
    "ethan",
    "adam",
    "yusuf",
    "hamza",
    "ibrahim",
    "robert",
]
FAMILY = [
    "smith",
    "jones",
    "taylor",
    "brown",
    "williams",
    "wilson",
    "johnson",
    "davies",
    "robinson",
    "wright",
    "thompson",
    "evans",
    "walker",
    "white",
    "roberts",
    "green",
    "hall",
    "wood",
    "jackson",
    "clarke",
    "khan",
    "ali",
    "hussain",
    "begum",
    "patel",
    "okafor",
    "mensah",
    "kowalski",
    "nowak",
    "murphy",
    "kelly",
    "oconnor",
    "hughes",
    "edwards",
    "turner",
    "hill",
    "moore",
    "cooper",
    "ward",
    "morris",
]
STREETS = [
    "acacia avenue",
    "mill lane",
    "church street",
    "station road",
    "park view",
    "victoria road",
    "green lane",
    "the crescent",
    "high street",
    "manor way",
]
NICK = {
    "william": "bill",
    "robert": "bob",
    "elizabeth": "beth",
    "katherine": "kate",
    "james": "jamie",
    "thomas": "tom",
    "samuel": "sam",
    "daniel": "danny",
    "alexander": "alex",
    "rebecca": "becky",
    "jessica": "jess",
    "matthew": "matt",
}
AGENCIES = ["CSC", "POLICE", "HEALTH", "EDUCATION", "HOUSING"]


@dataclass(frozen=True)
class Labelled:
    agency: str
    record_id: str
    person: int
    record: IdentityRecord


def nhs_number(n: int) -> str:
    base = 999_000_000 + n * 7
    while True:
        check = normalise.nhs_check_digit(f"{base:09d}")
        if check is not None:
            return f"{base:09d}{check}"
        base += 1


def _postcode(rng: random.Random) -> str:
    return f"LS{rng.randint(1, 29)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 3:
        return text
    i = rng.randrange(1, len(text) - 1)
    kind = rng.choice(["swap", "drop", "sub"])
    if kind == "swap":
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == "drop":
        return text[:i] + text[i + 1 :]
    return text[:i] + rng.choice("aeioulnrst") + text[i + 1 :]


def households(
    count: int, *, seed: int = 7, records_per_child: tuple[int, int] = (1, 4)
) -> tuple[list[Labelled], set[frozenset[int]], set[frozenset[int]]]:
    """Records for ``count`` households; the pairs of persons who are siblings or twins;
    the pairs who are a parent and child sharing a name (the parent's records always carry
    a date of birth)."""
    rng = random.Random(seed)
    out: list[Labelled] = []
    siblings: set[frozenset[int]] = set()
    person = 0
    serial = 0
    parents: set[int] = set()
    namesakes: set[frozenset[int]] = set()
    for _household in range(count):
        family = rng.choice(FAMILY)
        postcode = _postcode(rng)
        address = f"{rng.randint(1, 200)} {rng.choice(STREETS)}, leeds"
        children: list[tuple[int, str, str, dt.date]] = []
        first = dt.date(2008, 1, 1) + dt.timedelta(days=rng.randrange(0, 16 * 365))
        twins = rng.random() < 0.25
        n_children = rng.randint(1, 3)
        for c in range(n_children):
            sex = rng.choice("FM")
            pool = GIVEN_F if sex == "F" else GIVEN_M
            taken = {child[1] for child in children}
            given = rng.choice([g for g in pool if g not in taken])
            if c == 1 and twins:
                dob = children[0][3]
            else:
                dob = first + dt.timedelta(days=c * rng.randint(400, 1200))
            children.append((person, given, sex, dob))
            person += 1
        ids = [child[0] for child in children]
        siblings.update(frozenset((a, b)) for a in ids for b in ids if a < b)
        # A parent sharing the first child's given name ("junior"), sometimes.
        if rng.random() < 0.15:
            parent_dob = children[0][3] - dt.timedelta(days=rng.randint(20, 35) * 365)
            children.append((person, children[0][1], children[0][2], parent_dob))
            parents.add(person)
            namesakes.add(frozenset((children[0][0], person)))
            person += 1
        for pid, given, sex, dob in children:
            nhs = nhs_number(pid)
            for _ in range(rng.randint(*records_per_child)):
                serial += 1
                g, f, d, n, a, p = given, family, dob.isoformat(), nhs, address, postcode
                other = ""
                roll = rng.random()
                if roll < 0.12:
                    g = _typo(rng, g)
                elif roll < 0.18:
                    f = _typo(rng, f)
                elif roll < 0.22 and dob.day <= 12 and dob.day != dob.month:
                    d = dt.date(dob.year, dob.day, dob.month).isoformat()
                elif roll < 0.26:
                    g = NICK.get(g, g)
                elif roll < 0.29:
                    g, f = f, g
                elif roll < 0.33:
                    a, p = f"{rng.randint(1, 200)} {rng.choice(STREETS)}, leeds", _postcode(rng)
                elif roll < 0.36:
                    other, f = f"{g} {f}", rng.choice(FAMILY)
                if rng.random() < 0.45:
                    n = ""
                elif rng.random() < 0.04:
                    n = n[:-1] + str((int(n[-1]) + 1) % 10)  # invalid check digit
                if rng.random() < 0.08 and pid not in parents:
                    d = ""
                out.append(
                    Labelled(
                        agency=rng.choice(AGENCIES),
                        record_id=f"R{serial}",
                        person=pid,
                        record=IdentityRecord(
                            given_name=g.title(),
                            family_name=f.upper() if rng.random() < 0.2 else f.title(),
                            other_names=other,
                            date_of_birth=d or None,
                            sex=sex,
                            nhs_number=n,
                            address=a,
                            postcode=p.lower() if rng.random() < 0.3 else p,
                        ),
                    )
                )
    return out, siblings, namesakes
