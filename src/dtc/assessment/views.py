"""The self-assessment pages. Anonymous runs live under /zelftest/t/<token>/ (the resume link); an
organisation's runs under /mijn/zelftest/<id>/ for its members. Both render the same pages; which
result a visitor may open is decided by core.visibility."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtc.assessment import exports, mail, scoring, selectors, services
from dtc.assessment.forms import AnswersForm, ContextForm, SupplierMailForm
from dtc.assessment.models import RUNG_LABELS, Result
from dtc.assessment.report import PRINCIPLE_TITLES, result_report
from dtc.core import visibility
from dtc.organisations import selectors as organisation_selectors

CONTEXT_STEP = 0


def _base(result: Result, token: str | None) -> str:
    if token:
        return reverse("assessment:anon_root", args=[token])
    return reverse("assessment:org_root", args=[result.pk])


def with_result(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Resolve /zelftest/t/<token>/… or /mijn/zelftest/<id>/… to the result through the visibility module."""

    @wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, *args: Any, token: str | None = None, result_id: int | None = None,
                **kwargs: Any) -> HttpResponse:
        if result_id is not None and not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        result = visibility.assessment_result_get_visible(user=request.user, result_id=result_id, token=token)
        return view(request, result, _base(result, token), *args, token=token, **kwargs)

    return wrapper


def _steps(question_set, context: dict[str, str]) -> list[int]:
    """The principle pages that have at least one question for this business."""
    shown = scoring.applicable_questions(selectors.questionset_specs(question_set), context)
    return sorted({spec.principle for spec in shown})


def _member_organisations(request: HttpRequest) -> list:
    if not request.user.is_authenticated:
        return []
    return list(organisation_selectors.organisations_for_user(user=request.user))


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    question_set = selectors.questionset_current()
    return render(request, "assessment/landing.html", {
        "question_set": question_set,
        "organisations": _member_organisations(request),
        "figures": selectors.assessment_figures(),
        "rungs": RUNG_LABELS.items(),
        "principles": PRINCIPLE_TITLES.items(),
    })


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """Start anonymously, or for one of the visitor's organisations (then it joins its history)."""
    organisation = None
    if request.POST.get("organisation"):
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={reverse('assessment:landing')}")
        try:
            organisation_id = int(request.POST["organisation"])
        except ValueError as exc:
            raise Http404 from exc
        organisation = organisation_selectors.organisation_get_for_member(
            user=request.user, organisation_id=organisation_id
        )
    try:
        started = services.result_start(organisation=organisation, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("assessment:landing")
    if organisation is not None:
        return redirect("assessment:org_step", result_id=started.result.pk, step=CONTEXT_STEP)
    return redirect("assessment:anon_step", token=started.token, step=CONTEXT_STEP)


@require_GET
@never_cache
def resume(request: HttpRequest, token: str) -> HttpResponse:
    result = visibility.assessment_result_get_visible(user=request.user, token=token)
    if result.is_finished:
        return redirect("assessment:anon_result", token=token)
    return redirect("assessment:anon_step", token=token, step=result.step)


def _step_context(result: Result, base: str, token: str | None) -> dict[str, Any]:
    return {
        "result": result,
        "base": base,
        "token": token,
        "resume_url": reverse("assessment:resume", args=[token]) if token else "",
    }


@with_result
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, result: Result, base: str, step: int, token: str | None = None) -> HttpResponse:
    question_set = selectors.questionset_with_questions(question_set_id=result.question_set_id)
    steps = _steps(question_set, result.context)
    if step != CONTEXT_STEP and step not in steps:
        raise Http404
    context = _step_context(result, base, token)
    pages = [CONTEXT_STEP, *steps]
    position = pages.index(step)
    previous_step = pages[position - 1] if position > 0 else None
    next_step = pages[position + 1] if position + 1 < len(pages) else None
    leaving = request.POST.get("action") == "later"

    if step == CONTEXT_STEP:
        form = ContextForm(
            request.POST or None, questions=selectors.context_questions(question_set),
            ask_sector=result.organisation_id is None,
            initial={**result.context, "peer_opt_in": result.peer_opt_in, "sector": result.sector},
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            services.result_context_save(
                result=result,
                context={key: value for key, value in data.items() if key not in {"peer_opt_in", "sector"} and value},
                peer_opt_in=bool(data.get("peer_opt_in")), sector=data.get("sector", ""),
            )
            if leaving:
                return _saved_for_later(request, result, base, token)
            first = _steps(question_set, result.context)
            return redirect(f"{base}stap/{first[0]}/" if first else f"{base}controle/")
        title = _("Over je bedrijf")
        intro = _("Een paar vragen vooraf. Ze tellen niet mee in de uitkomst, maar bepalen welke vragen en "
                  "tips je krijgt.")
    else:
        questions = [q for q in selectors.scored_questions(question_set)
                     if q.principle == step and scoring.is_applicable(selectors.question_spec(q), result.context)]
        form = AnswersForm(
            request.POST or None, questions=questions, require_all=not leaving,
            initial=dict(result.answers),
        )
        if request.method == "POST":
            valid = form.is_valid()
            answers = {key: value for key, value in form.cleaned_data.items() if value} if hasattr(
                form, "cleaned_data") else {}
            services.result_answers_save(result=result, answers=answers, step=step)
            if leaving:
                return _saved_for_later(request, result, base, token)
            if valid:
                if result.is_finished:
                    messages.success(request, _("Je antwoorden zijn bewaard en de uitkomst is bijgewerkt."))
                    return redirect(f"{base}uitslag/")
                return redirect(f"{base}stap/{next_step}/" if next_step is not None else f"{base}controle/")
        title = str(PRINCIPLE_TITLES.get(step, step))
        intro = _("Kies bij elke vraag de situatie die het best past. Twijfel je, kies dan 'Weet ik niet': "
                  "dan wordt het een taak om uit te zoeken.")
    status = 400 if request.method == "POST" else 200
    context.update({
        "form": form, "step": step, "title": title, "intro": intro, "pages": pages, "position": position + 1,
        "page_count": len(pages) + 1, "previous_step": previous_step,
        "principle_number": step if step != CONTEXT_STEP else None,
    })
    return render(request, "assessment/step.html", context, status=status)


def _saved_for_later(request: HttpRequest, result: Result, base: str, token: str | None) -> HttpResponse:
    return render(request, "assessment/saved.html", _step_context(result, base, token))


@with_result
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, result: Result, base: str, token: str | None = None) -> HttpResponse:
    """Before the result: which questions are still open; finishing scores the run."""
    missing = services.result_missing(result=result)
    if request.method == "POST":
        try:
            services.result_finish(result=result)
        except ValidationError:
            messages.error(request, _("Nog niet alle vragen zijn beantwoord."))
        else:
            return redirect(f"{base}uitslag/")
    question_set = selectors.questionset_with_questions(question_set_id=result.question_set_id)
    by_key = {q.key: q for q in selectors.scored_questions(question_set)}
    context = _step_context(result, base, token)
    context["missing"] = [by_key[key] for key in missing]
    context["principle_titles"] = PRINCIPLE_TITLES
    return render(request, "assessment/check.html", context, status=400 if request.method == "POST" else 200)


def _chart(report) -> dict[str, Any]:
    """Geometry of the SVG bar chart: per principle its title above a bar of 0-4 rungs across 400 units.
    A rung-0 bar is drawn as a thin stub, so "nothing yet" still shows; the value is written at the end."""
    width = 400
    row = 60
    bars = []
    for index, line in enumerate(report.principles):
        rung = line.rung or 0
        top = 8 + index * row
        bar_width = max(rung * width // scoring.TOP_RUNG, 4)
        bars.append({
            "label_y": top + 16, "y": top + 24, "width": bar_width, "value_x": min(bar_width + 8, width - 30),
            "value_y": top + 43, "line": line, "outside": bar_width + 8 < width - 30,
            "peer_x": (round(line.peer_average * width / scoring.TOP_RUNG)
                       if line.peer_average is not None else None),
        })
    axis_y = 8 + len(bars) * row + 16
    return {
        "bars": bars,
        "height": axis_y + 8,
        "grid": [{"x": rung * width // scoring.TOP_RUNG, "rung": rung, "label": label}
                 for rung, label in RUNG_LABELS.items()],
        "axis_y": axis_y,
        "grid_bottom": axis_y - 14,
    }


@with_result
@require_GET
def result_page(request: HttpRequest, result: Result, base: str, token: str | None = None) -> HttpResponse:
    if not result.is_finished:
        return redirect(f"{base}stap/0/" if result.step == CONTEXT_STEP else f"{base}controle/")
    report = result_report(result=result)
    peers = report.peers
    organisations = []
    if result.organisation_id is None:
        organisations = _member_organisations(request)
    context = _step_context(result, base, token)
    context.update({
        "report": report, "chart": _chart(report), "peers": peers,
        "reference_figures": selectors.reference_figures() if not (peers and peers.shown) else [],
        "organisations": organisations, "can_tick": result.organisation_id is not None,
        "min_peers": selectors.settings.DTC_ASSESSMENT_MIN_PEERS,
    })
    return render(request, "assessment/result.html", context)


def _download(report, content: bytes | str, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _finished_report(result: Result):
    if not result.is_finished:
        raise Http404
    return result_report(result=result)


def _filename(result: Result, extension: str) -> str:
    date = timezone.localdate(result.finished_at or result.created_at).isoformat()
    return f"zelftest-{date}.{extension}"


@with_result
@require_GET
def report_pdf(request: HttpRequest, result: Result, base: str, token: str | None = None) -> HttpResponse:
    report = _finished_report(result)
    result_url = request.build_absolute_uri(f"{base}uitslag/") if token else ""
    return _download(report, exports.report_pdf(report, result_url=result_url),
                     filename=_filename(result, "pdf"), content_type="application/pdf")


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@with_result
@require_GET
def actions_csv(request: HttpRequest, result: Result, base: str, token: str | None = None) -> HttpResponse:
    report = _finished_report(result)
    return _download(report, exports.report_csv(report, base_url=_site(request)),
                     filename=_filename(result, "csv"), content_type="text/csv; charset=utf-8")


@with_result
@require_GET
def actions_ics(request: HttpRequest, result: Result, base: str, token: str | None = None) -> HttpResponse:
    report = _finished_report(result)
    start_date = timezone.localdate() + dt.timedelta(days=1)
    return _download(report, exports.report_ics(report, start=start_date, base_url=_site(request)),
                     filename=_filename(result, "ics"), content_type="text/calendar; charset=utf-8")


@with_result
@require_http_methods(["GET", "POST"])
def supplier(request: HttpRequest, result: Result, base: str, token: str | None = None) -> HttpResponse:
    """E-mail the IT supplier's part of the action list. The address is used once and not stored."""
    report = _finished_report(result)
    if not report.supplier_actions:
        messages.info(request, _("Er zijn geen acties voor je IT-leverancier."))
        return redirect(f"{base}uitslag/")
    form = SupplierMailForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                mail.supplier_mail_send(
                    report=report, to=form.cleaned_data["to"], reply_name=form.cleaned_data["reply_name"],
                    note=form.cleaned_data["note"], client=request.META.get("REMOTE_ADDR", ""),
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.error_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
            else:
                messages.success(request, _("De e-mail aan je IT-leverancier is verstuurd."))
                return redirect(f"{base}uitslag/")
        status = 400
    context = _step_context(result, base, token)
    context.update({"report": report, "form": form})
    return render(request, "assessment/supplier.html", context, status=status)


@with_result
@require_POST
def action_done(request: HttpRequest, result: Result, base: str, token: str | None = None) -> HttpResponse:
    """Tick an action off (organisation results): the answer moves up one step, the result is re-scored."""
    if result.organisation_id is None:
        raise Http404
    try:
        services.result_action_done(result=result, question_key=request.POST.get("question", ""),
                                    acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Afgevinkt. Je uitkomst is opnieuw berekend."))
    return redirect(f"{base}uitslag/#acties")


@with_result
@require_POST
def claim(request: HttpRequest, result: Result, base: str, token: str | None = None) -> HttpResponse:
    """Keep an anonymous result in one of the visitor's organisations."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={base}uitslag/")
    try:
        organisation_id = int(request.POST.get("organisation", ""))
    except ValueError as exc:
        raise Http404 from exc
    organisation = organisation_selectors.organisation_get_for_member(user=request.user, organisation_id=organisation_id)
    try:
        services.result_claim(result=result, organisation=organisation, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(f"{base}uitslag/")
    messages.success(request, _("De uitkomst staat nu bij %(name)s.") % {"name": organisation.name})
    return redirect("assessment:org_result", result_id=result.pk)


@login_required
@never_cache
@require_GET
def history(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    """An organisation's results over time: rung and progress per run, oldest first."""
    organisation = organisation_selectors.organisation_get_for_member(user=request.user, organisation_id=organisation_pk)
    results = list(selectors.results_of_organisation(organisation_id=organisation.pk))
    finished = [result for result in results if result.is_finished]
    chart_width = 400
    slot = chart_width // max(len(finished), 1)
    points = [
        {
            "result": result, "x": index * slot + slot // 4, "width": max(slot // 2, 8),
            "height": (result.progress or 0) * 2, "y": 210 - (result.progress or 0) * 2,
            "label_x": index * slot + slot // 2,
        }
        for index, result in enumerate(finished)
    ]
    return render(request, "assessment/history.html", {
        "organisation": organisation, "results": list(reversed(results)), "points": points,
        "section": "assessment", "principles": sorted(PRINCIPLE_TITLES.items()),
    })
