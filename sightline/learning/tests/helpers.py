import datetime as dt

from sightline.learning.corpus import ReviewRecord


def record(reference="SYN-1", themes=("neglect", "risk_assessment"), **changes):
    values = {
        "reference": reference,
        "kind": "rapid",
        "title": "Synthetic review",
        "text": "Synthetic text about neglect.",
        "notified_on": dt.date(2023, 5, 1),
        "completed_on": None,
        "local_authority": "Tynebury",
        "region": "north_east",
        "nature": "death",
        "age_band": "under_1",
        "sex": "male",
        "ethnicity": "white",
        "disability": "no",
        "known_to_social_care": True,
        "child_protection_plan": False,
        "child_in_need_plan": False,
        "looked_after": False,
        "known_to_police": False,
        "known_to_health": True,
        "known_to_education": False,
        "is_synthetic": True,
        "themes": themes,
    }
    values.update(changes)
    return ReviewRecord(**values)
