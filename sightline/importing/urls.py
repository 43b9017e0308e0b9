from django.urls import path

from sightline.importing import views

urlpatterns = [
    path("", views.upload, name="importing-upload"),
    path("<int:pk>/commit/", views.commit, name="importing-commit"),
    path("batches/<int:pk>/", views.batch_detail, name="importing-batch"),
]
