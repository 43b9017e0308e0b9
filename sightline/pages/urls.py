from django.urls import path

from sightline.pages import case_views, views

urlpatterns = [
    path("", views.search, name="people-search"),
    path("<uuid:public_id>/", views.person_detail, name="person-detail"),
    path("<uuid:public_id>/chronology/", views.person_chronology, name="person-chronology"),
    path("<uuid:public_id>/chronology/add/", views.add_to_chronology, name="person-add-event"),
    path("<uuid:public_id>/panels/<slug:panel>/", views.person_panel, name="person-panel"),
    path("<uuid:public_id>/case/records/", case_views.case_records, name="case-records"),
    path(
        "<uuid:public_id>/case/records/<slug:kind>/<uuid:record_id>/<slug:change>/",
        case_views.case_record_change,
        name="case-record-change",
    ),
    path(
        "<uuid:public_id>/case/family/<int:relationship_id>/end/",
        case_views.end_relationship,
        name="case-end-relationship",
    ),
    path("<uuid:public_id>/case/<slug:step>/", case_views.case_step, name="case-step"),
]
