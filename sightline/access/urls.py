from django.urls import path

from sightline.access import (
    administration,
    administration_agencies,
    administration_calendar,
    administration_rules,
    administration_users,
    views,
)

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
    path(
        "administration/users/<int:user_id>/",
        administration_users.user,
        name="administration-user",
    ),
    path(
        "administration/users/<int:user_id>/role/",
        administration_users.user_role,
        name="administration-user-role",
    ),
    path(
        "administration/users/<int:user_id>/api-token/",
        administration_users.issue_token,
        name="administration-issue-token",
    ),
    path("administration/api-tokens/", administration_users.tokens, name="administration-tokens"),
    path(
        "administration/api-tokens/<int:user_id>/revoke/",
        administration_users.revoke_token,
        name="administration-revoke-token",
    ),
    path(
        "administration/agencies/",
        administration_agencies.agencies,
        name="administration-agencies",
    ),
    path(
        "administration/agencies/<int:agency_id>/",
        administration_agencies.agency,
        name="administration-agency",
    ),
    path(
        "administration/closure-days/",
        administration_calendar.closure_days,
        name="administration-closure-days",
    ),
    path(
        "administration/closure-days/<int:closure_id>/remove/",
        administration_calendar.remove_closure_day,
        name="administration-remove-closure-day",
    ),
    path(
        "administration/challenge-rules/",
        administration_rules.challenge_rules,
        name="administration-challenge-rules",
    ),
    path(
        "administration/challenge-rules/<slug:code>/",
        administration_rules.challenge_rule,
        name="administration-challenge-rule",
    ),
    path(
        "administration/event-categories/",
        administration_rules.categories,
        name="administration-categories",
    ),
    path(
        "administration/event-categories/<int:category_id>/",
        administration_rules.category,
        name="administration-category",
    ),
]
