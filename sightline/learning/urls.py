from django.urls import path

from sightline.learning import views

app_name = "learning"

urlpatterns = [
    path("", views.index, name="index"),
    path("taxonomy/", views.taxonomy_list, name="taxonomy-list"),
    path("taxonomy/<int:version>/", views.taxonomy_detail, name="taxonomy"),
    path("taxonomy/<int:version>/publish", views.taxonomy_publish, name="taxonomy-publish"),
    path("taxonomy/<int:version>/themes/<int:theme_id>/", views.theme_edit, name="theme-edit"),
    path(
        "taxonomy/<int:version>/themes/<int:theme_id>/remove",
        views.theme_remove,
        name="theme-remove",
    ),
    path("reviews/", views.review_list, name="review-list"),
    path("reviews/<str:public_id>/", views.review_detail, name="review"),
    path("reviews/<str:public_id>/adjudicate", views.adjudicate, name="adjudicate"),
    path("agreement/", views.agreement, name="agreement"),
    path("regions/", views.authority_regions, name="regions"),
    path("reports/annual/", views.annual_report, name="annual-report"),
    path("statistics/", views.national_statistics, name="national-statistics"),
    path(
        "statistics/<int:year>.csv", views.national_statistics_csv, name="national-statistics-csv"
    ),
    path(
        "reports/annual/<int:year>.<str:fmt>",
        views.annual_report_export,
        name="annual-report-export",
    ),
]
