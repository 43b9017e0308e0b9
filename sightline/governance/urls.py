from django.urls import path

from sightline.governance import views

app_name = "governance"

urlpatterns = [
    path("disposals/", views.proposal_list, name="disposals"),
    path("disposals/<uuid:public_id>/", views.proposal_detail, name="disposal"),
    path("schedule/", views.schedule_list, name="schedule"),
    path("schedule/<str:kind>/", views.schedule_edit, name="schedule-edit"),
]
