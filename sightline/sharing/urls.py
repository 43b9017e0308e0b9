from django.urls import path

from sightline.sharing import views

urlpatterns = [
    path("", views.inbox, name="sharing-inbox"),
    path("read/", views.mark_read, name="sharing-mark-read"),
    path("flag-check/", views.flag_check, name="sharing-flag-check"),
    path("referrals/sent/", views.referrals_sent, name="sharing-referrals-sent"),
    path("referrals/new/<uuid:person_id>/", views.new_referral, name="sharing-new-referral"),
    path("referrals/<uuid:public_id>/", views.referral_detail, name="sharing-referral"),
    path(
        "referrals/<uuid:public_id>/acknowledge/",
        views.acknowledge,
        name="sharing-referral-acknowledge",
    ),
    path("referrals/<uuid:public_id>/outcome/", views.outcome, name="sharing-referral-outcome"),
    path("decisions/", views.decision_report, name="sharing-decisions"),
    path("decisions/new/<uuid:person_id>/", views.new_decision, name="sharing-new-decision"),
    path("lawful-bases/", views.lawful_bases, name="sharing-lawful-bases"),
    path("lawful-bases/<int:pk>/", views.lawful_basis_active, name="sharing-lawful-basis-active"),
]
