from django.urls import path

from sightline.networks import views

app_name = "networks"

urlpatterns = [
    path("people/<uuid:public_id>/", views.child_network, name="child-network"),
    path("people/<uuid:public_id>/graph.json", views.child_network_data, name="child-network-data"),
    path(
        "people/<uuid:public_id>/associations/new/",
        views.new_association,
        name="new-association",
    ),
    path("people/<uuid:public_id>/concern/", views.person_concern, name="person-concern"),
    path(
        "people/<uuid:public_id>/associations/withdraw/",
        views.withdraw_association,
        name="withdraw-association",
    ),
    path("people/<uuid:public_id>/concern/end/", views.end_concern, name="end-concern"),
    path("events/<int:pk>/place/", views.event_context, name="event-context"),
    path("contexts/", views.context_list, name="context-list"),
    path("contexts/<uuid:public_id>/", views.context_detail, name="context-detail"),
    path("contexts/<uuid:public_id>/<slug:what>/", views.context_work, name="context-work"),
    path("meeting/", views.meeting_list, name="meeting-list"),
    path("meeting/<int:pk>/", views.meeting_detail, name="meeting-detail"),
]
