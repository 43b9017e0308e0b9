"""Serializers shared by every part of the REST API: errors and page parameters."""

from typing import Any

from rest_framework import serializers

MAX_PAGE_SIZE = 200


class FieldErrorSerializer(serializers.Serializer[Any]):
    index = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "Position of the item in the submitted list, from 0 (0 for a single submission); "
            "null when the problem is with a query parameter or the request as a whole."
        ),
    )
    field = serializers.CharField(
        allow_null=True,
        help_text="The field or query parameter at fault; null when it is the item as a whole.",
    )
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer[Any]):
    """A 400 answer: nothing was read or written; every problem found is listed."""

    detail = serializers.CharField()
    # The metaclass moves declared fields off the class, so this does not hide
    # ``Serializer.errors``; the type checker cannot know that.
    errors = FieldErrorSerializer(many=True)  # type: ignore[assignment]


class DetailSerializer(serializers.Serializer[Any]):
    """A 401, 403 or 404 answer."""

    detail = serializers.CharField()


class PageParams(serializers.Serializer[Any]):
    page = serializers.IntegerField(
        min_value=1, required=False, help_text="Page number, from 1 (default 1)."
    )
    page_size = serializers.IntegerField(
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        required=False,
        help_text=f"Results per page, at most {MAX_PAGE_SIZE} (default 50).",
    )


class CodeListField(serializers.ListField):
    """A query parameter that may repeat (``?agency=A&agency=B``) or hold ``A,B``."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            child=serializers.CharField(max_length=64, allow_blank=True), required=False, **kwargs
        )

    def to_internal_value(self, data: Any) -> list[str]:
        values: list[str] = super().to_internal_value(data)
        codes: list[str] = []
        for value in values:
            for part in value.split(","):
                code = part.strip()
                if code and code not in codes:
                    codes.append(code)
        return codes
