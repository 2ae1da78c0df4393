from django.urls import path

from dtc.scans import views, views_batches

app_name = "scans"

urlpatterns = [
    path("scan/", views.scan_start, name="start"),
    path("scan/batch/", views_batches.batch_list, name="batch_list"),
    path("scan/batch/nieuw/", views_batches.batch_create, name="batch_create"),
    path("scan/batch/<int:batch_id>/", views_batches.batch_detail, name="batch_detail"),
    path("scan/batch/<int:batch_id>/opnieuw/", views_batches.batch_rescan, name="batch_rescan"),
    path("scan/batch/<int:batch_id>/export.csv", views_batches.batch_export, name="batch_export"),
    path("scan/<str:key>/", views.scan_detail, name="detail"),
    path("scan/<str:key>/rapport.pdf", views.scan_pdf, name="pdf"),
]
