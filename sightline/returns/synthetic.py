"""Synthetic returns of any size, for the benchmark and the demo: a CIN census of ``n``
children and an SSDA903 return of the first ``looked_after`` of them, for one collection
year, deterministic for a seed. Synthetic only: no real child, UPNs valid but invented,
postcodes two fixed ones in one authority. Written to pass the DfE's validators."""

import dataclasses
import datetime as dt
import random

from stdnum.gb import upn as upn_check

from sightline.returns import cin_census as cin
from sightline.returns import codes
from sightline.returns import ssda903 as s903
from sightline.returns.years import CollectionYear

HOME_POSTCODE = "TW9 1DN"
PLACEMENT_POSTCODE = "TW1 1AA"
_NEEDS = ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8")
_SOURCES = ("1A", "2A", "3A", "3B", "3E", "5A", "5D", "6", "8")
_ETHNICITIES = tuple(code for code in codes.ETHNICITY if code not in {"REFU", "NOBT"})
_FACTORS = ("1B", "2B", "3A", "3B", "4B", "16A", "17A")


def child_id(index: int) -> str:
    return f"C{index:07d}"


def upn(index: int, la: str = "201") -> str:
    body = f"{la}2000{index % 100000:05d}"[-12:]
    return upn_check.calc_check_digit(body) + body


def _day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def census(
    n: int, *, year: CollectionYear, seed: int = 1, lea: str = "201", first: int = 1
) -> cin.Message:
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
    children = []
    last_referral = year.end - dt.timedelta(days=75)
    for index in range(first, first + n):
        birth = _day(rng, dt.date(year.end_year - 17, 1, 1), year.start - dt.timedelta(days=400))
        referral = _day(rng, year.start, last_referral)
        started = referral + dt.timedelta(days=1)
        authorised = started + dt.timedelta(days=rng.randint(10, 40))
        episode = cin.CINDetails(
            referral_date=referral,
            referral_source=rng.choice(_SOURCES),
            primary_need=rng.choice(_NEEDS),
            assessments=(
                cin.Assessment(
                    start_date=started,
                    authorisation_date=authorised,
                    factors=tuple(sorted(set(rng.sample(_FACTORS, 2)))),
                ),
            ),
        )
        roll = rng.random()
        if roll < 0.1:  # section 47, conference, plan
            s47 = authorised + dt.timedelta(days=1)
            conference = _weekday(s47 + dt.timedelta(days=10))
            category = rng.choice(tuple(codes.CP_CATEGORY))
            review = conference + dt.timedelta(days=90)
            episode = dataclasses.replace(
                episode,
                section47s=(
                    cin.Section47(
                        start_date=s47,
                        icpc_target=s47 + dt.timedelta(days=21),
                        icpc_date=conference,
                    ),
                ),
                cp_plans=(
                    cin.CPPlan(
                        start_date=conference,
                        initial_category=category,
                        latest_category=category,
                        review_dates=(review,) if review <= year.end else (),
                    ),
                ),
            )
        elif roll < 0.4:  # a child in need plan
            episode = dataclasses.replace(
                episode, cin_plans=(cin.CINPlan(start_date=authorised + dt.timedelta(days=3)),)
            )
        elif roll < 0.7:  # closed after assessment
            episode = dataclasses.replace(
                episode, closure_date=authorised + dt.timedelta(days=1), closure_reason="RC8"
            )
        children.append(
            cin.Child(
                la_child_id=child_id(index),
                upn=upn(index, lea),
                birth_date=birth,
                sex=rng.choice(("M", "F")),
                ethnicity=rng.choice(_ETHNICITIES),
                disabilities=("NONE",),
                episodes=(episode,),
            )
        )
    return cin.Message(
        header=cin.Header(
            year=year.end_year,
            reference_date=year.end,
            lea=lea,
            software_code="Sightline",
            release="1",
            serial_no="001",
            date_time=dt.datetime(year.end_year, 4, 20, 9, 0, 0),  # noqa: DTZ001 (local time)
        ),
        children=tuple(children),
    )


def _weekday(day: dt.date) -> dt.date:
    """``day``, or the Monday after it if it falls at a weekend."""
    return day + dt.timedelta(days=max(0, 7 - day.weekday()) if day.weekday() >= 5 else 0)


def return903(message: cin.Message, looked_after: int, *, seed: int = 1) -> s903.Return903:
    """The first ``looked_after`` children of ``message`` looked after from soon after their
    referral: accommodated under section 20, then a full care order (a second episode)."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
    year_end = message.header.reference_date
    header, episodes, reviews = [], [], []
    for child in message.children[:looked_after]:
        assert child.birth_date is not None  # noqa: S101 (census() gives every child one)
        start = child.episodes[0].referral_date + dt.timedelta(days=2)
        header.append(
            s903.HeaderRow(
                child=child.la_child_id,
                sex=child.sex,
                dob=child.birth_date,
                ethnic=child.ethnicity,
                upn=child.upn,
                mother="0" if child.sex == "F" else None,
            )
        )
        first = s903.Episode(
            child=child.la_child_id,
            decom=start,
            rne="S",
            ls="V2",
            cin="N1",
            place="U4",
            place_provider="PR1",
            home_post=HOME_POSTCODE,
            pl_post=PLACEMENT_POSTCODE,
            urn="SC000001",
        )
        change = start + dt.timedelta(days=rng.randint(20, 60))
        if change < year_end:
            episodes.append(dataclasses.replace(first, dec=change, rec="X1"))
            episodes.append(dataclasses.replace(first, decom=change, rne="L", ls="C2"))
        else:
            episodes.append(first)
        review = start + dt.timedelta(days=20)
        if review <= year_end:
            try:
                fourth = child.birth_date.replace(year=child.birth_date.year + 4)
            except ValueError:  # born on 29 February
                fourth = dt.date(child.birth_date.year + 4, 2, 28)
            code = "PN0" if review < fourth else "PN1"
            reviews.append(s903.Review(child.la_child_id, child.birth_date, review, code))
    return s903.Return903(header=tuple(header), episodes=tuple(episodes), reviews=tuple(reviews))
