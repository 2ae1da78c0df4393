from django.urls import path

from dtc.scans import views

app_name = "scans"

urlpatterns = [
    path("scan/", views.scan_start, name="start"),
    path("scan/<str:key>/", views.scan_detail, name="detail"),
]
