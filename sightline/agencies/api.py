"""The agencies known to Sightline: the codes submissions and chronology filters use."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from sightline.agencies.models import Agency
from sightline.agencies.serializers import AgencyListSerializer, AgencySerializer
from sightline.core.serializers import DetailSerializer


@extend_schema(
    operation_id="agencies_list",
    summary="The agencies, by name",
    tags=["reference"],
    responses={200: AgencyListSerializer, 401: DetailSerializer, 403: DetailSerializer},
)
@api_view(["GET"])
def agencies(request: Request) -> Response:
    return Response({"results": AgencySerializer(Agency.objects.order_by("name"), many=True).data})


urlpatterns = [path("agencies/", agencies, name="api-agencies")]
