from django.apps import AppConfig


class NetworksConfig(AppConfig):
    name = "sightline.networks"
    label = "networks"
    verbose_name = "Extra-familial harm networks"
