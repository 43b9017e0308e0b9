from django.urls import path

from sightline.networks import views

app_name = "networks"

urlpatterns = [
    path("people/<uuid:public_id>/", views.child_network, name="child-network"),
    path("people/<uuid:public_id>/graph.json", views.child_network_data, name="child-network-data"),
    path("contexts/<uuid:public_id>/", views.context_detail, name="context-detail"),
    path("meeting/", views.meeting_list, name="meeting-list"),
    path("meeting/<int:pk>/", views.meeting_detail, name="meeting-detail"),
]
