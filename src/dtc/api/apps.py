from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "dtc.api"
    label = "api"
    verbose_name = "API"
