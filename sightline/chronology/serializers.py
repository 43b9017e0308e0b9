"""What the category vocabulary endpoint gives. Explicit fields only."""

from typing import Any

from rest_framework import serializers

from sightline.chronology.models import Category


class CategorySerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    # Declared fields leave the class (the metaclass moves them), so this does not hide
    # ``Field.label``; the type checker cannot know that.
    label = serializers.CharField()  # type: ignore[assignment]
    agency_kind = serializers.CharField(
        help_text="The kind of agency that usually records it; blank for any agency."
    )
    active = serializers.BooleanField(help_text="Whether new events may use it.")


class CategoryListSerializer(serializers.Serializer[Any]):
    results = CategorySerializer(many=True)


class CategoryRefSerializer(serializers.Serializer[Category]):
    code = serializers.CharField()
    # Declared fields leave the class (the metaclass moves them), so this does not hide
    # ``Field.label``; the type checker cannot know that.
    label = serializers.CharField()  # type: ignore[assignment]
