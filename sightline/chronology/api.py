"""The event category vocabulary (reference data).

A child's chronology is read through the record (``record.api``); events are submitted
through ``importing.api``.
"""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from sightline.chronology.models import Category
from sightline.chronology.serializers import CategoryListSerializer, CategorySerializer
from sightline.core.serializers import DetailSerializer

AUTH_ERRORS = {401: DetailSerializer, 403: DetailSerializer}


@extend_schema(
    operation_id="categories_list",
    summary="The event category vocabulary",
    tags=["reference"],
    responses={200: CategoryListSerializer, **AUTH_ERRORS},
)
@api_view(["GET"])
def categories(request: Request) -> Response:
    vocabulary = Category.objects.order_by("agency_kind", "code")
    return Response({"results": CategorySerializer(vocabulary, many=True).data})


urlpatterns = [
    path("categories/", categories, name="api-categories"),
]
