"""Analysts import advisories from the screen: upload CSAF files, manage the polled providers."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from dtc.advisories import services_intake
from dtc.advisories.forms_intake import ProviderForm, UploadForm
from dtc.advisories.models import Provider
from dtc.advisories.views import _analyst_crumbs, _form_add_errors, analyst_required


def _page(request: HttpRequest, *, upload: UploadForm, provider: ProviderForm, outcomes=None) -> HttpResponse:
    return render(
        request,
        "advisories/analyst/import.html",
        {
            "upload_form": upload,
            "provider_form": provider,
            "outcomes": outcomes,
            "providers": Provider.objects.order_by("name"),
            "crumbs": _analyst_crumbs((_("Importeren"), "")),
        },
    )


@analyst_required
@require_http_methods(["GET", "POST"])
def advisories_import(request: HttpRequest) -> HttpResponse:
    upload = UploadForm(request.POST or None, request.FILES or None)
    outcomes = None
    if request.method == "POST" and upload.is_valid():
        try:
            outcomes = services_intake.advisories_upload(actor=request.user, files=upload.cleaned_data["files"])
        except ValidationError as exc:
            _form_add_errors(upload, exc)
    return _page(request, upload=upload, provider=ProviderForm(), outcomes=outcomes)


@analyst_required
@require_POST
def provider_add(request: HttpRequest) -> HttpResponse:
    form = ProviderForm(request.POST)
    if form.is_valid():
        try:
            provider = services_intake.provider_add(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_add_errors(form, exc)
        else:
            messages.success(request, _("Bron %(name)s toegevoegd.") % {"name": provider.name})
            return redirect(reverse("advisories:import") + "#bronnen")
    return _page(request, upload=UploadForm(), provider=form)


@analyst_required
@require_POST
def provider_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    provider = get_object_or_404(Provider, pk=pk)
    services_intake.provider_toggle(actor=request.user, provider=provider, enabled=not provider.enabled)
    return redirect(reverse("advisories:import") + "#bronnen")


@analyst_required
@require_POST
def providers_poll(request: HttpRequest) -> HttpResponse:
    services_intake.providers_poll_now(actor=request.user)
    messages.success(request, _("De bronnen worden nu opgehaald. Ververs deze pagina over een minuut."))
    return redirect(reverse("advisories:import") + "#bronnen")
