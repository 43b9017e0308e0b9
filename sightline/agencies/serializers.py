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
    email = serializers.EmailField()


class AgencyListSerializer(serializers.Serializer[Any]):
    results = AgencySerializer(many=True)
