"""On-demand scans of a domain's public information: anyone may run one (rate-limited); the result page
follows the background scan live and shows every check with advice."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from dtc.scans import exports, services
from dtc.scans.forms import ScanForm
from dtc.scans.models import Scan
from dtc.scans.presentation import scan_sections


@never_cache
@require_http_methods(["GET", "POST"])
def scan_start(request):
    form = ScanForm(request.POST or None, initial={"web": True, "mail": True})
    if request.method == "POST" and form.is_valid():
        try:
            scan = services.scan_request(
                domain=form.cleaned_data["domain"], web=form.cleaned_data["web"], mail=form.cleaned_data["mail"],
                client=request.META.get("REMOTE_ADDR", ""),
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return redirect("scans:detail", key=scan.key)
    status = 400 if request.method == "POST" else 200
    return render(request, "scans/start.html", {"form": form}, status=status)


def _scan_for_visitor(key: str) -> Scan:
    """The on-demand scan with this key (the unguessable key in the address is what grants access);
    an organisation's scans are never shown here. Every page of a scan asks this one helper."""
    return get_object_or_404(Scan, key=key, organisation=None)


@never_cache
@require_GET
def scan_detail(request, key: str):
    """While the scan runs the page refreshes itself every few seconds (no script needed) and shows
    how many checks are done and what they found so far."""
    scan = _scan_for_visitor(key)
    return render(request, "scans/detail.html", {"scan": scan, **scan_sections(scan=scan)})


@never_cache
@require_GET
def scan_pdf(request, key: str):
    """The report of a finished scan as a PDF download; a scan still running (or failed) has none yet."""
    scan = _scan_for_visitor(key)
    if scan.status == Scan.Status.FAILED:
        return HttpResponse(_("Deze test is mislukt, dus er is geen rapport. Start een nieuwe test."),
                            status=409, content_type="text/plain; charset=utf-8")
    if scan.status != Scan.Status.DONE:
        return HttpResponse(_("De test is nog bezig. Het rapport kun je downloaden zodra de test klaar is."),
                            status=409, content_type="text/plain; charset=utf-8")
    response = HttpResponse(exports.scan_pdf(scan), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, exports.scan_pdf_filename(scan))
    return response
