"""Batch scans of a collaboration: the coordinator's list, upload, progress, summary, per-member
reports, rounds and CSV export. Every view asks `dtc.core.visibility`; a hidden batch is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtc.core import visibility
from dtc.scans import batches
from dtc.scans.forms import BatchForm
from dtc.scans.presentation import CHECK_TITLES

MEMBERS_PER_PAGE = 50


@login_required
@never_cache
@require_GET
def batch_list(request):
    visible = visibility.scan_batches_visible_to(user=request.user).select_related("collaboration")
    page = Paginator(visible, 25).get_page(request.GET.get("pagina"))
    may_create = visibility.scan_batch_collaborations(user=request.user).exists()
    return render(request, "scans/batch_list.html", {"page": page, "may_create": may_create})


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def batch_create(request):
    collaborations = visibility.scan_batch_collaborations(user=request.user)
    if not collaborations.exists():
        return render(request, "scans/batch_forbidden.html", status=403)
    form = BatchForm(request.POST or None, request.FILES or None, collaborations=collaborations,
                     initial={"web": True, "mail": True})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            batch = batches.batch_create(
                collaboration=data["collaboration"], name=data["name"], rows=form.rows, user=request.user,
                web=data["web"], mail=data["mail"], rescan_every_days=data["rescan_every_days"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            text = _("De batch is gestart: %(count)d domeinen worden getest.") % {"count": len(form.rows)}
            if form.duplicates:
                text += " " + _("%(count)d dubbele regels zijn overgeslagen.") % {"count": form.duplicates}
            messages.success(request, text)
            return redirect("scans:batch_detail", batch_id=batch.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "scans/batch_create.html", {"form": form}, status=status)


def _round(batch, number: str | None):
    rounds = batch.rounds.all()
    if number and number.isdigit():
        return rounds.filter(number=int(number)).first() or rounds.order_by("-number").first()
    return rounds.order_by("-number").first()


@login_required
@never_cache
@require_GET
def batch_detail(request, batch_id: int):
    batch = visibility.scan_batch_get_visible(user=request.user, batch_id=batch_id)
    scan_round = _round(batch, request.GET.get("ronde"))
    running = scan_round is not None and batches.round_running(scan_round)
    members = batches.batch_members(batch=batch, scan_round=scan_round)
    page = Paginator(members, MEMBERS_PER_PAGE).get_page(request.GET.get("pagina"))
    summary = batches.round_summary(scan_round) if scan_round is not None else None
    if summary:
        summary["top_failing"] = [(str(CHECK_TITLES.get(check_id, check_id)), count)
                                  for check_id, count in summary["top_failing"]]
    return render(request, "scans/batch_detail.html", {
        "batch": batch, "round": scan_round, "running": running, "page": page,
        "round_query": f"ronde={scan_round.number}&" if scan_round is not None else "",
        "progress": batches.round_progress(scan_round) if scan_round is not None else None,
        "summary": summary, "timeline": batches.batch_timeline(batch=batch),
        "may_manage": visibility.scan_batch_may_create(user=request.user, collaboration=batch.collaboration),
    })


@login_required
@require_POST
def batch_rescan(request, batch_id: int):
    batch = visibility.scan_batch_get_visible(user=request.user, batch_id=batch_id, manage=True)
    try:
        scan_round = batches.batch_round_start(batch=batch, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Ronde %(number)d is gestart.") % {"number": scan_round.number})
    return redirect("scans:batch_detail", batch_id=batch.pk)


@login_required
@never_cache
@require_GET
def batch_export(request, batch_id: int):
    batch = visibility.scan_batch_get_visible(user=request.user, batch_id=batch_id)
    scan_round = _round(batch, request.GET.get("ronde"))
    response = HttpResponse(batches.batch_csv(batch=batch, scan_round=scan_round),
                            content_type="text/csv; charset=utf-8")
    number = scan_round.number if scan_round else 0
    response["Content-Disposition"] = (
        f'attachment; filename="batchscan-{batch.pk}-ronde-{number}-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    return response
