from django.apps import AppConfig


class SubjectAccessConfig(AppConfig):
    name = "sightline.subjectaccess"
    label = "subjectaccess"
    verbose_name = "Subject access requests"
