"""Exchanging a community's items with MISP and STIX 2.1 tools: download exports, upload an import.

Thin views over `dtc.community.interop`. The community is looked up through the visibility module
(hidden → 404); what an export contains is decided there too. Imports create drafts of the importer.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from dtc.community import interop, selectors
from dtc.community.models import Community
from dtc.core import visibility

MAX_MIB = interop.MAX_IMPORT_BYTES // (1024 * 1024)


class InteropImportForm(forms.Form):
    file = forms.FileField(
        label=_("MISP- of STIX-bestand (JSON)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Interpolated per request, in the request's language.
        self.fields["file"].help_text = _(
            "Een MISP-event (of een lijst van events) of een STIX 2.1-bundel, hoogstens %(max)d MiB."
        ) % {"max": MAX_MIB}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > interop.MAX_IMPORT_BYTES:
            raise ValidationError(
                _("Het bestand is groter dan %(max)d MiB.") % {"max": MAX_MIB}, code="file_too_large"
            )
        return upload


def _json_download(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _crumbs(community: Community) -> list[dict[str, str]]:
    return [
        {"title": str(_("Communities")), "url": reverse("community:list")},
        {"title": community.name, "url": reverse("community:detail", args=[community.pk])},
        {"title": str(_("MISP en STIX")), "url": ""},
    ]


@login_required
@require_http_methods(["GET", "POST"])
def community_interop(request: HttpRequest, pk: int) -> HttpResponse:
    """The exchange page: download links for both formats; for members, the import form."""
    community = visibility.community_get_visible(user=request.user, community_id=pk)
    is_member = selectors.community_is_active_member(user=request.user, community=community)
    form = InteropImportForm(request.POST or None, request.FILES or None) if is_member else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("Alleen leden van de community kunnen importeren."))
        if form.is_valid():
            upload = form.cleaned_data["file"]
            # Read one byte more than allowed, so an oversized upload is caught whatever it claims.
            data = upload.read(interop.MAX_IMPORT_BYTES + 1)
            try:
                result = interop.community_import(
                    actor=request.user, community=community, data=data, filename=upload.name or ""
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error("file", message)
            else:
                messages.success(
                    request,
                    _("%(items)d item(s) met %(indicators)d indicator(en) geïmporteerd als concept. Alleen u "
                      "ziet ze; lees ze na en publiceer ze.")
                    % {"items": len(result.items), "indicators": result.indicator_count},
                )
                for notice in result.notices:
                    messages.warning(request, notice)
                return redirect("community:drafts")
        form.add_error(None, _(
            "Het bestand is niet geïmporteerd; er is niets opgeslagen. Los de problemen hieronder op en kies "
            "het bestand opnieuw."
        ))
    context = {
        "community": community,
        "is_member": is_member,
        "is_coordinator": selectors.community_is_coordinator(user=request.user, community=community),
        "section": "interop",
        "form": form,
        "max_mib": MAX_MIB,
        "crumbs": _crumbs(community),
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "community/interop/interop.html", context, status=status)


@login_required
@require_GET
def community_export_misp(request: HttpRequest, pk: int) -> HttpResponse:
    community = visibility.community_get_visible(user=request.user, community_id=pk)
    document = interop.community_export_misp(actor=request.user, community=community)
    return _json_download(json.dumps(document, indent=2, ensure_ascii=False), f"{community.slug}-misp.json")


@login_required
@require_GET
def community_export_stix(request: HttpRequest, pk: int) -> HttpResponse:
    community = visibility.community_get_visible(user=request.user, community_id=pk)
    content = interop.community_export_stix(actor=request.user, community=community)
    return _json_download(content, f"{community.slug}-stix.json")
