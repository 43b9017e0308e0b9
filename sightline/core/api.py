"""Pieces every part of the REST API shares: the acting user, pages, the 400 answer, and
reading a submission (one item or a batch) of an interchange format.

Submissions are validated row by row by ``sightline.importing.formats``, the same code
that reads files, so an API submission and a file upload give the same answers.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, ParseError, PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer

from sightline.accounts.models import Role, User
from sightline.agencies.models import Agency
from sightline.audit.actions import Origin
from sightline.core.serializers import MAX_PAGE_SIZE
from sightline.importing import formats
from sightline.importing.rows import RowError

MAX_BATCH = 5000


def acting_user(request: Request) -> User:
    """The authenticated user (the default permission class has already required one)."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise NotAuthenticated()
    return user


def api_origin(request: Request) -> Origin:
    return Origin.from_request(request, via="api")


class PageNumbers(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


def error_response(detail: str, errors: Sequence[Mapping[str, object]]) -> Response:
    return Response({"detail": detail, "errors": list(errors)}, status=status.HTTP_400_BAD_REQUEST)


def invalid_parameters(serializer: Serializer[Any]) -> Response:
    """A 400 naming each query parameter at fault."""
    errors: list[dict[str, object]] = []
    for name, problems in serializer.errors.items():
        field = None if name == "non_field_errors" else name
        errors.extend(
            {"index": None, "field": field, "message": str(message)}
            for message in _messages(problems)
        )
    return error_response("Invalid query parameters; nothing was read.", errors)


def _messages(problems: Any) -> list[str]:
    if isinstance(problems, dict):  # a list parameter: {position: [messages]}
        return [m for value in problems.values() for m in _messages(value)]
    if isinstance(problems, list):
        return [m for value in problems for m in _messages(value)]
    return [str(problems)]


@dataclass(frozen=True)
class Paged:
    response: Response
    count: int
    number: int


def paginate(
    request: Request,
    items: QuerySet[Any] | Sequence[Any],
    serializer: type[Serializer[Any]],
    *,
    context: Callable[[list[Any]], dict[str, Any]] | None = None,
) -> Paged:
    """One page of ``items``, serialized, with the total count and the page number.

    ``context``, given the page's objects, returns the serializer context (for data
    fetched for the whole page at once).
    """
    paginator = PageNumbers()
    rows = paginator.paginate_queryset(items, request) or []
    page = paginator.page
    if page is None:  # only without a page size, which PageNumbers always has
        raise RuntimeError("no page size")
    extra = context(rows) if context is not None else {}
    response = paginator.get_paginated_response(serializer(rows, many=True, context=extra).data)
    return Paged(response, count=page.paginator.count, number=page.number)


# -- submissions -----------------------------------------------------------------------

RowT = TypeVar("RowT")
# Validates one item given as column -> text, with its line (index + 1).
RowParser = Callable[[Mapping[str, str], int], tuple[RowT | None, list[RowError]]]


@dataclass(frozen=True)
class Submission(Generic[RowT]):
    agency: Agency
    rows: list[RowT]


class SubmissionRejectedError(Exception):
    """The submission has problems; ``response`` is the 400 answer listing them."""

    def __init__(self, response: Response) -> None:
        self.response = response
        super().__init__("submission rejected")


def row_error(error: RowError) -> dict[str, object]:
    """A problem found with an item, as the API reports it (line ``n`` is index ``n - 1``)."""
    return {
        "index": error.line - 1 if error.line > 0 else None,
        "field": error.column or None,
        "message": error.message,
    }


def rejected(errors: Sequence[RowError]) -> SubmissionRejectedError:
    return SubmissionRejectedError(
        error_response(
            f"{len(errors)} problem(s); nothing was recorded.", [row_error(e) for e in errors]
        )
    )


def read_submission(
    user: User,
    request: Request,
    *,
    batch: bool,
    parse: RowParser[RowT],
    id_column: str,
) -> Submission[RowT]:
    """Check the shape, the agency and every row; the rows if all is well.

    Raises ``PermissionDenied`` when a user who is not an administrator names another
    agency than their own, and ``SubmissionRejectedError`` listing every problem otherwise.
    """
    try:
        body: object = request.data
    except ParseError as error:
        raise rejected([RowError(0, "", str(error.detail))]) from error
    items = _items(body, batch=batch)
    # Per item: its fields as text (None if it is not an object) and their type problems.
    converted: list[tuple[dict[str, str] | None, list[RowError]]] = []
    for index, item in enumerate(items):
        if isinstance(item, dict):
            # The same conversion of JSON values to text as a JSON-lines file gets.
            converted.append(formats._json_fields(item, line=index + 1))
        else:
            converted.append((None, [RowError(index + 1, "", "each item must be a JSON object")]))

    named = {(f.get("agency") or "").strip() for f, _ in converted if f is not None} - {""}
    _check_may_submit(user, named)

    rows: list[RowT] = []
    errors: list[RowError] = []
    first_seen: dict[str, int] = {}
    first_agency = ""
    first_line = 0
    for index, (fields, type_problems) in enumerate(converted):
        errors += type_problems
        if fields is None:
            continue
        line = index + 1
        row, problems = parse(fields, line)
        # A value of the wrong type is reported once, not again as missing.
        reported = {e.column for e in type_problems}
        errors += [e for e in problems if e.column not in reported]
        named_agency = (fields.get("agency") or "").strip()
        if named_agency and not first_agency:
            first_agency, first_line = named_agency, line
        elif named_agency and named_agency != first_agency:
            errors.append(
                RowError(
                    line, "agency", f"one agency per batch: the first item is for {first_agency}"
                )
            )
        key = (fields.get(id_column) or "").strip()
        if key and (earlier := first_seen.setdefault(key, index)) != index:
            errors.append(RowError(line, id_column, f"{key!r} already appears at index {earlier}"))
        elif row is not None:
            rows.append(row)

    agency = Agency.objects.filter(code=first_agency).first() if first_agency else None
    if first_agency and agency is None:
        errors.append(RowError(first_line, "agency", f"no agency with code {first_agency!r}"))
    if errors:
        raise rejected(sorted(errors, key=lambda e: e.line))
    if agency is None:  # every item without an agency is an error above; kept for the types
        raise rejected([RowError(0, "agency", "no agency named")])
    return Submission(agency=agency, rows=rows)


def _items(body: object, *, batch: bool) -> list[object]:
    if not batch:
        if not isinstance(body, dict):
            raise rejected([RowError(0, "", "the body must be one JSON object {...}")])
        return [body]
    if not isinstance(body, list):
        raise rejected([RowError(0, "", "the body must be a JSON list [...] of objects")])
    if not body:
        raise rejected([RowError(0, "", "the batch is empty")])
    if len(body) > MAX_BATCH:
        raise rejected(
            [RowError(0, "", f"the batch holds {len(body):,} items; at most {MAX_BATCH:,}")]
        )
    return body


def _check_may_submit(user: User, agencies: set[str]) -> None:
    if user.role == Role.ADMINISTRATOR:
        return
    own = user.agency.code if user.agency else None
    others = sorted(agencies - {own} if own else agencies)
    if own is None or others:
        raise PermissionDenied(
            f"You may submit only for your own agency ({own or 'none'}); "
            f"this names {', '.join(others)}."
            if others
            else "You belong to no agency, so you may not submit."
        )


def submission_status(changed: bool) -> int:
    return status.HTTP_201_CREATED if changed else status.HTTP_200_OK
