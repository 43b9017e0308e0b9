from django.urls import path

from sightline.access import administration, views

urlpatterns = [
    path("two-factor/", views.two_factor, name="two-factor"),
    path("two-factor/setup/", views.two_factor_setup, name="two-factor-setup"),
    path(
        "people/<uuid:public_id>/emergency-access/",
        views.break_glass,
        name="access-break-glass",
    ),
    path("people/<uuid:public_id>/seen-by/", views.seen_by, name="access-seen-by"),
    path(
        "people/<uuid:public_id>/export/", views.export_chronology, name="access-export-chronology"
    ),
    path(
        "emergency-access/<int:grant_id>/end/", views.end_break_glass, name="access-end-break-glass"
    ),
    path("reviews/", views.review_queue, name="access-reviews"),
    path("reviews/<int:grant_id>/", views.review_grant, name="access-review"),
    path("reviews/findings/<int:finding_id>/", views.review_finding, name="access-finding"),
    path("exports/caseload/", views.export_caseload, name="access-export-caseload"),
    path("users/", views.users, name="access-users"),
    path(
        "users/<int:user_id>/enrolment-code/",
        views.issue_enrolment_code,
        name="access-issue-enrolment-code",
    ),
    path("administration/", administration.index, name="administration"),
    path("administration/users/new/", administration.new_user, name="administration-new-user"),
    path("administration/teams/", administration.teams, name="administration-teams"),
]
