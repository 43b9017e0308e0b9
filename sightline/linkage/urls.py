from django.urls import path

from sightline.linkage import views

urlpatterns = [
    path("record-person/", views.record_person, name="linkage-record-person"),
    path("recorded/<int:record_pk>/", views.recorded, name="linkage-recorded"),
    path("reviews/", views.review_queue, name="linkage-reviews"),
    path("reviews/<int:review_id>/", views.review_detail, name="linkage-review"),
    path("merges/", views.merge_list, name="linkage-merges"),
    path("merges/<int:merge_id>/undo/", views.undo_merge, name="linkage-undo-merge"),
]
