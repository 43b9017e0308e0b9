from django.urls import path

from sightline.incidents import views

app_name = "incidents"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("notifications/new/", views.notification_new, name="notification_new"),
    path("notifications/<str:public_id>/", views.notification_detail, name="notification"),
    path(
        "notifications/<str:public_id>/export.<str:fmt>",
        views.notification_export,
        name="notification_export",
    ),
    path(
        "notifications/<str:public_id>/submit/",
        views.notification_submit,
        name="notification_submit",
    ),
    path("notifications/<str:public_id>/review/open/", views.review_open, name="review_open"),
    path("notifications/<str:public_id>/review/", views.review_detail, name="review"),
    path(
        "notifications/<str:public_id>/review/export.pdf", views.review_export, name="review_export"
    ),
    path(
        "notifications/<str:public_id>/review/<slug:step>/", views.review_step, name="review_step"
    ),
    path("summaries/<int:pk>/", views.summary_edit, name="summary"),
]
