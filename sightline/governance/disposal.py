"""Destroying a person's record: the person, the persons merged into them, and every row
that hangs off them, in the caller's transaction.

What hangs off is found from the models, not listed by hand, so a table added later is
destroyed too: every row with a foreign key to a destroyed person is destroyed; below
that, a row that cannot exist without a destroyed row (a non-null foreign key: the
events of a source record, the inbox items of an alert) is destroyed, and a row that can
(a nullable foreign key: another child's association that cited one of the events) only
loses the link. Two tables are left alone: the audit trail, whose rows keep the person's
key as it was hashed (the column has no database constraint), and the disposal proposal,
which keeps the opaque reference and points at the tombstone.
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import connection, models
from django.db.models import ForeignObjectRel

from sightline.audit.models import AuditEvent
from sightline.governance.models import DisposalProposal
from sightline.people.models import Person

_CHUNK = 500
_LEFT_ALONE: frozenset[type[models.Model]] = frozenset({AuditEvent, DisposalProposal})

Model = type[models.Model]


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def _reverse_keys(model: Model) -> Iterator[tuple[Model, models.ForeignKey[Any, Any]]]:
    """The foreign keys (and one-to-one keys) of other tables that point at ``model``,
    hidden ones (``related_name="+"``) and many-to-many link tables included."""
    for field in model._meta.get_fields(include_hidden=True):
        if isinstance(field, ForeignObjectRel) and (field.one_to_many or field.one_to_one):
            key = field.field  # the ForeignKey on the other model
            if isinstance(key, models.ForeignKey):
                yield key.model, key


def label(model: Model) -> str:
    return model._meta.label


def collect(person: Person) -> tuple[dict[Model, set[int]], list[tuple[Model, str, Model]]]:
    """What destroying ``person`` destroys (rows by table), and the nullable links to
    those rows from rows that stay: (table, column, table pointed at)."""
    doomed: dict[Model, set[int]] = defaultdict(set)
    doomed[Person].add(person.pk)
    links: list[tuple[Model, str, Model]] = []
    queue: list[tuple[Model, list[int]]] = [(Person, [person.pk])]
    while queue:
        model, ids = queue.pop()
        for related, key in _reverse_keys(model):
            if related in _LEFT_ALONE:
                continue
            if key.null and model is not Person:
                links.append((related, key.attname, model))
                continue
            new: set[int] = set()
            for chunk in _chunks(ids):
                new.update(
                    related._base_manager.filter(**{f"{key.attname}__in": chunk}).values_list(
                        "pk", flat=True
                    )
                )
            new -= doomed[related]
            if new:
                doomed[related] |= new
                queue.append((related, sorted(new)))
    return {model: ids for model, ids in doomed.items() if ids}, links


def destroy(person: Person) -> dict[str, int]:
    """Destroy ``person`` and what hangs off them; return the rows destroyed per table
    (and the links cut, as "table.column (link removed)"). Foreign keys are checked at
    the end, so a row left pointing at a destroyed one fails the whole disposal."""
    doomed, links = collect(person)
    counts: dict[str, int] = {}
    # Proposals keep the opaque reference only.
    DisposalProposal.objects.filter(person_id__in=doomed[Person]).update(person=None)
    for model, column, target in links:
        target_ids = sorted(doomed.get(target, ()))
        if not target_ids:
            continue
        cut = 0
        for chunk in _chunks(target_ids):
            cut += (
                model._base_manager.filter(**{f"{column}__in": chunk})
                .exclude(pk__in=doomed.get(model, ()))
                .update(**{column: None})
            )
        if cut:
            counts[f"{label(model)}.{column} (link removed)"] = cut
    for model, ids in doomed.items():
        removed = 0
        for chunk in _chunks(sorted(ids)):
            removed += model._base_manager.filter(pk__in=chunk)._raw_delete(connection.alias)
        if removed:
            counts[label(model)] = removed
    # Deferred foreign keys: check them now, inside the transaction, so that a row left
    # pointing at a destroyed one rolls the disposal back rather than the commit failing.
    # Every table with a key to a destroyed table is checked (PostgreSQL checks all).
    pointing = {related for model in doomed for related, _ in _reverse_keys(model)}
    connection.check_constraints(
        table_names=sorted({m._meta.db_table for m in (*doomed, *pointing)})
    )
    return dict(sorted(counts.items()))
