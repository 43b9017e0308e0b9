from django.urls import path

from sightline.assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("report/", views.overrides_report, name="report"),
    path("rules/", views.rules_page, name="rules"),
    path("children/<uuid:public_id>/", views.child_page, name="child"),
    path("children/<uuid:public_id>/open/", views.open_step, name="open-step"),
    path("children/<uuid:public_id>/close/", views.close_case, name="close"),
    path("children/<uuid:public_id>/assessments/new/", views.assessment_new, name="assessment-new"),
    path("steps/<int:pk>/decide/", views.decide, name="decide"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision"),
    path("decisions/<int:pk>/change/", views.change_decision, name="change"),
    path("challenges/<int:pk>/rationale/", views.challenge_rationale, name="rationale"),
    path("challenges/<int:pk>/sign-off/", views.challenge_sign_off, name="sign-off"),
    path("challenges/<int:pk>/return/", views.challenge_return, name="return"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("assessments/<int:pk>/review/", views.assessment_review, name="assessment-review"),
    path("assessments/<int:pk>/amend/", views.assessment_amend, name="assessment-amend"),
]
