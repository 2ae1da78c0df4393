"""The self-assessment: /zelftest/ (anonymous, by resume link) and /mijn/zelftest/ (organisations)."""

from django.urls import include, path

from dtc.assessment import views

app_name = "assessment"


def _result_patterns(prefix: str) -> list:
    return [
        path("", views.result_page, name=f"{prefix}_root"),
        path("stap/<int:step>/", views.step, name=f"{prefix}_step"),
        path("controle/", views.check, name=f"{prefix}_check"),
        path("uitslag/", views.result_page, name=f"{prefix}_result"),
        path("rapport.pdf", views.report_pdf, name=f"{prefix}_pdf"),
        path("acties.csv", views.actions_csv, name=f"{prefix}_csv"),
        path("acties.ics", views.actions_ics, name=f"{prefix}_ics"),
        path("leverancier/", views.supplier, name=f"{prefix}_supplier"),
        path("afvinken/", views.action_done, name=f"{prefix}_action_done"),
        path("bewaren/", views.claim, name=f"{prefix}_claim"),
    ]


urlpatterns = [
    path("zelftest/", views.landing, name="landing"),
    path("zelftest/starten/", views.start, name="start"),
    path("zelftest/hervat/<str:token>/", views.resume, name="resume"),
    path("zelftest/t/<str:token>/", include(_result_patterns("anon"))),
    path("mijn/zelftest/<int:result_id>/", include(_result_patterns("org"))),
    path("mijn/zelftest/organisatie/<int:organisation_pk>/", views.history, name="history"),
]
