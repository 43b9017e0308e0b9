from django.urls import path

from sightline.subjectaccess import views

app_name = "subjectaccess"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.find_person, name="find"),
    path("new/<uuid:public_id>/", views.new_request, name="new"),
    path("<uuid:public_id>/", views.request_detail, name="detail"),
    path("<uuid:public_id>/verify/", views.verify, name="verify"),
    path("<uuid:public_id>/extend/", views.extend, name="extend"),
    path("<uuid:public_id>/gather/", views.gather, name="gather"),
    path("<uuid:public_id>/suggestions/<int:suggestion>/", views.decide, name="decide"),
    path("<uuid:public_id>/pack.<str:kind>", views.download, name="download"),
    path("<uuid:public_id>/sent/", views.sent, name="sent"),
]
