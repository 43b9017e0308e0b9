"""Challenge facts stored with the events they rest on.

Facts were stored as bare sentences. Each becomes {"text", "person", "events"}; for a fact
stored before this, the person is unknown and its events are every piece of the
challenge's evidence that is not about the child (a household adult's records), so the
read side withholds it from a viewer who may not see any one of them.
"""

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def with_sources(facts: list[Any], other_events: list[int]) -> list[Any]:
    return [
        fact
        if isinstance(fact, dict)
        else {"text": str(fact), "person": None, "events": list(other_events)}
        for fact in facts
    ]


def forwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    challenge_model = apps.get_model("assessments", "Challenge")
    for challenge in challenge_model.objects.select_related("decision").iterator():
        if all(isinstance(fact, dict) for fact in challenge.facts or []):
            continue
        others = sorted(
            challenge.evidence.exclude(person_id=challenge.decision.child_id).values_list(
                "pk", flat=True
            )
        )
        challenge.facts = with_sources(challenge.facts, others)
        challenge.save(update_fields=["facts"])


def backwards(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    challenge_model = apps.get_model("assessments", "Challenge")
    for challenge in challenge_model.objects.iterator():
        if not challenge.facts:
            continue
        challenge.facts = [
            fact["text"] if isinstance(fact, dict) else fact for fact in challenge.facts
        ]
        challenge.save(update_fields=["facts"])


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
