from typing import Any

from rest_framework import serializers

from sightline.agencies.models import Agency


class AgencyRefSerializer(serializers.Serializer[Agency]):
    """An agency named inside another answer."""

    code = serializers.CharField()
    name = serializers.CharField()


class AgencySerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField(help_text="childrens_social_care, police, health, ...")
    kind_label = serializers.CharField(source="get_kind_display")
    office_hours_phone = serializers.CharField()
    out_of_hours_phone = serializers.CharField()
    # Blank when not known, which "format: email" would not allow (found by schemathesis).
    email = serializers.CharField(help_text="An e-mail address, or blank when not known.")


class AgencyListSerializer(serializers.Serializer[Any]):
    results = AgencySerializer(many=True)
