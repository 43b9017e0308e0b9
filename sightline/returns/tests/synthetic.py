"""A small synthetic case for the 2025/26 returns: children in need, a child protection plan
and looked-after children, as a CIN census Message and an SSDA903 return. Synthetic only."""

import datetime as dt

from stdnum.gb import upn as upn_check

from sightline.returns import cin_census as cin
from sightline.returns import ssda903 as s903

D = dt.date


def upn(serial: int) -> str:
    """A valid UPN (check letter first) for LA 201, establishment 2000."""
    body = f"2012000{serial:05d}"
    return upn_check.calc_check_digit(body) + body


def census() -> cin.Message:
    protected = cin.Child(
        la_child_id="SYN0001",
        upn=upn(1),
        birth_date=D(2015, 6, 1),
        sex="F",
        ethnicity="WBRI",
        disabilities=("NONE",),
        episodes=(
            cin.CINDetails(
                referral_date=D(2025, 5, 1),
                referral_source="2A",
                primary_need="N1",
                assessments=(
                    cin.Assessment(
                        start_date=D(2025, 5, 2),
                        authorisation_date=D(2025, 5, 20),
                        factors=("3A", "4B"),
                    ),
                ),
                section47s=(
                    cin.Section47(
                        start_date=D(2025, 5, 10),
                        icpc_target=D(2025, 5, 30),
                        icpc_date=D(2025, 5, 28),
                    ),
                ),
                cp_plans=(
                    cin.CPPlan(
                        start_date=D(2025, 5, 28),
                        initial_category="NEG",
                        latest_category="NEG",
                        review_dates=(D(2025, 8, 20),),
                    ),
                ),
            ),
        ),
    )
    in_need = cin.Child(
        la_child_id="SYN0002",
        upn=upn(2),
        birth_date=D(2012, 2, 14),
        sex="M",
        ethnicity="BAFR",
        disabilities=("NONE",),
        episodes=(
            cin.CINDetails(
                referral_date=D(2025, 4, 10),
                referral_source="3B",
                primary_need="N4",
                closure_date=D(2025, 12, 1),
                closure_reason="RC7",
                assessments=(
                    cin.Assessment(
                        start_date=D(2025, 4, 11),
                        authorisation_date=D(2025, 5, 9),
                        factors=("1B",),
                    ),
                ),
                cin_plans=(cin.CINPlan(start_date=D(2025, 5, 12), end_date=D(2025, 12, 1)),),
            ),
        ),
    )
    looked_after = cin.Child(
        la_child_id="SYN0003",
        upn=upn(3),
        birth_date=D(2010, 9, 3),
        sex="M",
        ethnicity="WOTH",
        disabilities=("NONE",),
        episodes=(
            cin.CINDetails(
                referral_date=D(2025, 4, 3),
                referral_source="6",
                primary_need="N1",
                assessments=(
                    cin.Assessment(
                        start_date=D(2025, 4, 4),
                        authorisation_date=D(2025, 4, 25),
                        factors=("16A",),
                    ),
                ),
            ),
        ),
    )
    return cin.Message(
        header=cin.Header(
            year=2026,
            reference_date=D(2026, 3, 31),
            lea="201",
            software_code="Sightline",
            release="0.1",
            serial_no="001",
            date_time=dt.datetime(2026, 4, 20, 9, 30, 0),  # noqa: DTZ001 (the census's local time)
        ),
        children=(protected, in_need, looked_after),
    )


def return903() -> s903.Return903:
    return s903.Return903(
        header=(
            s903.HeaderRow(child="SYN0003", sex="M", dob=D(2010, 9, 3), ethnic="WOTH", upn=upn(3)),
        ),
        episodes=(
            s903.Episode(
                child="SYN0003",
                decom=D(2025, 4, 20),
                rne="S",
                ls="V2",
                cin="N1",
                place="U4",
                place_provider="PR1",
                dec=D(2025, 7, 1),
                rec="X1",
                home_post="TW9 1DN",
                pl_post="TW1 1AA",
                urn="SC000001",
            ),
            s903.Episode(
                child="SYN0003",
                decom=D(2025, 7, 1),
                rne="L",
                ls="C2",
                cin="N1",
                place="U4",
                place_provider="PR1",
                home_post="TW9 1DN",
                pl_post="TW1 1AA",
                urn="SC000001",
            ),
        ),
        reviews=(
            s903.Review(
                child="SYN0003", dob=D(2010, 9, 3), review=D(2025, 5, 16), review_code="PN1"
            ),
            s903.Review(
                child="SYN0003", dob=D(2010, 9, 3), review=D(2025, 10, 10), review_code="PN1"
            ),
            s903.Review(
                child="SYN0003", dob=D(2010, 9, 3), review=D(2026, 3, 20), review_code="PN1"
            ),
        ),
        sw_episodes=(
            s903.SWEpisode(
                child="SYN0003",
                dob=D(2010, 9, 3),
                sw_id="SW0001",
                sw_decom=D(2025, 4, 20),
                sw_reason="MANAGE",
            ),
        ),
    )
