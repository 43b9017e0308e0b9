"""ORM queries compiled to SQL once per shape, then run with each request's values.

The child's page asks the same dozen questions on every request with different values:
whose events, which filters, which page. Django builds and compiles each query again
every time, and on that page the building cost more than PostgreSQL took to answer
(docs/benchmarks.md, issue 13). A ``Statement`` keeps the compiled SQL of a query for
each *shape* (which filters are present, how many values each list holds, which page)
and binds the request's values into it: the SQL sent is the SQL Django would have sent.

How: the query is built once with *markers*, distinctive values of the same types as the
real ones, and compiled; each marker is then found among the compiled parameters. If any
marker is not found as it was given (the database backend converted it, as SQLite turns
dates into text, or a lookup rewrote it), the shape is not cached and the ORM runs as
usual every time: a cached statement is only ever the ORM's own SQL.

Only plain values are bound: ints, strings, dates, datetimes, UUIDs, and tuples of them.
Anything else (booleans, None, a user's role) is part of the shape and is given to the
builder as it is.
"""

import datetime as dt
import threading
import uuid
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

Row = tuple[Any, ...]
Scalar = int | str | dt.date | dt.datetime | uuid.UUID
Value = Scalar | tuple[Scalar, ...]
Builder = Callable[[Mapping[str, Any], Any], QuerySet[Any]]
T = TypeVar("T")

_MARKER_BASE = -7_346_120_000_000


class _CapturedError(Exception):
    def __init__(self, sql: str, params: Sequence[Any]) -> None:
        self.sql, self.params = sql, list(params)


def _markers(values: Mapping[str, Value]) -> tuple[dict[str, Any], dict[Any, tuple[str, int]]]:
    """Marker values for ``values`` and, for each marker, where it goes: (name, index in
    the tuple, or -1 for a scalar)."""
    given: dict[str, Any] = {}
    where: dict[Any, tuple[str, int]] = {}
    counter = 0

    def marker(value: Scalar) -> Any:
        nonlocal counter
        counter += 1
        # bool is an int: booleans belong to the shape, never to the markers.
        if isinstance(value, bool):
            raise TypeError("booleans are part of a statement's shape, not its values")
        if isinstance(value, int):
            return _MARKER_BASE - counter
        if isinstance(value, str):
            return f"\x1fsightline-marker-{counter}\x1f"
        if isinstance(value, dt.datetime):
            return dt.datetime(1001, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=counter)
        if isinstance(value, dt.date):
            return dt.date(1001, 1, 1) + dt.timedelta(days=counter)
        if isinstance(value, uuid.UUID):
            return uuid.UUID(int=(0x5EC7 << 112) + counter)
        raise TypeError(f"cannot bind a {type(value).__name__} into a statement")

    for name, value in values.items():
        if isinstance(value, tuple):
            items = tuple(marker(item) for item in value)
            given[name] = items
            where.update({item: (name, index) for index, item in enumerate(items)})
        else:
            given[name] = marker(value)
            where[given[name]] = (name, -1)
    return given, where


def _shape_of(values: Mapping[str, Value]) -> tuple[Hashable, ...]:
    return tuple(
        (name, len(value) if isinstance(value, tuple) else type(value).__name__)
        for name, value in sorted(values.items())
    )


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # For each parameter: (name, index) of the value to bind, or None and the constant.
    slots: tuple[tuple[tuple[str, int] | None, Any], ...]
    converters: dict[int, tuple[list[Any], Any]]

    def bind(self, values: Mapping[str, Value]) -> list[Any]:
        bound = []
        for slot, constant in self.slots:
            if slot is None:
                bound.append(constant)
            else:
                name, index = slot
                value = values[name]
                bound.append(value[index] if isinstance(value, tuple) else value)
        return bound


def _slots(
    params: Sequence[Any], where: Mapping[Any, tuple[str, int]]
) -> tuple[tuple[tuple[str, int] | None, Any], ...] | None:
    """Each compiled parameter as a marker's place or a constant; None if a marker was
    not found as it was given."""
    slots: list[tuple[tuple[str, int] | None, Any]] = []
    seen: set[Any] = set()
    for param in params:
        try:
            place = where.get(param)
        except TypeError:  # an unhashable constant (a list): never a marker
            place = None
        if place is None:
            slots.append((None, param))
        else:
            slots.append((place, None))
            seen.add(param)
    return tuple(slots) if seen == set(where) else None


_UNCACHEABLE = object()


class _Cache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._compiled: dict[Hashable, Any] = {}

    def get(self, key: Hashable) -> Any:
        return self._compiled.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._compiled[key] = value

    def clear(self) -> None:
        with self._lock:
            self._compiled.clear()


class _Statement(Generic[T]):
    def __init__(self, name: str, build: Builder) -> None:
        self.name = name
        self._build = build
        self._cache = _Cache()

    def _key(self, values: Mapping[str, Value], shape: Hashable, using: str) -> Hashable:
        return (using, connections[using].vendor, shape, _shape_of(values))

    def clear(self) -> None:
        """Forget the compiled SQL (tests that change the schema or the settings)."""
        self._cache.clear()


class ValuesStatement(_Statement[list[Row]]):
    """A ``values_list`` query (tuples, never models), compiled once per shape.

    ``build(values, shape)`` returns the queryset; anything in ``shape`` (and the
    number of items in each tuple of values) selects a separate compiled statement, so
    the builder may branch on the shape, never on the values themselves.
    """

    def fetch(
        self, values: Mapping[str, Value], *, shape: Hashable = (), using: str = DEFAULT_DB_ALIAS
    ) -> list[Row]:
        key = self._key(values, shape, using)
        compiled = self._cache.get(key)
        if compiled is None:
            compiled = self._compile(values, shape, using)
            self._cache.put(key, compiled)
        if compiled is _UNCACHEABLE:
            return list(self._build(values, shape).using(using))
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, compiled.bind(values))
            rows = cursor.fetchall()
        if not compiled.converters:
            return [tuple(row) for row in rows]
        converted = []
        for row in rows:
            items = list(row)
            for position, (functions, expression) in compiled.converters.items():
                value = items[position]
                for function in functions:
                    value = function(value, expression, connection)
                items[position] = value
            converted.append(tuple(items))
        return converted

    def _compile(self, values: Mapping[str, Value], shape: Any, using: str) -> Any:
        given, where = _markers(values)
        queryset = self._build(given, shape).using(using)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = _slots(params, where)
        if slots is None or any(str(marker) in sql for marker in where):
            return _UNCACHEABLE
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        return _Compiled(sql=sql, slots=slots, converters=compiler.get_converters(fields))


class CountStatement(_Statement[int]):
    """``queryset.count()``, compiled once per shape (``ValuesStatement`` for the rules)."""

    def count(
        self, values: Mapping[str, Value], *, shape: Hashable = (), using: str = DEFAULT_DB_ALIAS
    ) -> int:
        key = self._key(values, shape, using)
        compiled = self._cache.get(key)
        if compiled is None:
            compiled = self._compile(values, shape, using)
            self._cache.put(key, compiled)
        if compiled is _UNCACHEABLE:
            return self._build(values, shape).using(using).count()
        with connections[using].cursor() as cursor:
            cursor.execute(compiled.sql, compiled.bind(values))
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def _compile(self, values: Mapping[str, Value], shape: Any, using: str) -> Any:
        given, where = _markers(values)
        queryset = self._build(given, shape).using(using)

        def capture(execute: Any, sql: str, params: Sequence[Any], many: bool, context: Any) -> Any:
            raise _CapturedError(sql, params or ())

        try:
            with connections[using].execute_wrapper(capture):
                queryset.count()
        except _CapturedError as captured:
            slots = _slots(captured.params, where)
            if slots is None or any(str(marker) in captured.sql for marker in where):
                return _UNCACHEABLE
            return _Compiled(sql=captured.sql, slots=slots, converters={})
        return _UNCACHEABLE  # answered without a query (an empty IN): not worth keeping
