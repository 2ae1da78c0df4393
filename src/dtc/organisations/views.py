"""Pages of "Mijn omgeving": thin views that parse input, call one service or selector, render."""

from __future__ import annotations

import json
import secrets
from typing import Any, NoReturn

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dtc.core.http import redirect_with_errors
from dtc.organisations import product_import, selectors, services
from dtc.organisations.forms import (
    AccountDeleteForm,
    DomainForm,
    InvitationForm,
    OrganisationProfileForm,
    ProductAddForm,
    ProductImportForm,
    ProductSearchForm,
)
from dtc.organisations.models import (
    Domain,
    FeedToken,
    Invitation,
    Membership,
    Organisation,
    OrganisationProduct,
    Product,
)

PAGE_SIZE = 25


def _page(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("pagina"))


def _form_add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has it, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _home_crumb() -> dict[str, str]:
    return {"title": _("Mijn omgeving"), "url": reverse("organisations:dashboard")}


def _org_crumbs(organisation: Organisation, *extra: tuple[str, str]) -> list[dict[str, str]]:
    crumbs = [
        _home_crumb(),
        {"title": organisation.name, "url": reverse("organisations:detail", args=[organisation.pk])},
    ]
    crumbs += [{"title": title, "url": url} for title, url in extra]
    return crumbs


def _org_context(request: HttpRequest, organisation: Organisation, section: str) -> dict[str, Any]:
    return {
        "organisation": organisation,
        "is_admin": selectors.organisation_is_admin(user=request.user, organisation=organisation),
        "section": section,
    }


# --- dashboard and organisations -------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    organisations = selectors.organisations_for_user(user=request.user)
    products_due = list(selectors.organisations_products_confirm_due_for_user(user=request.user)[:5])
    return render(
        request,
        "organisations/dashboard.html",
        {
            "page": _page(request, organisations),
            "products_due": products_due,
            "crumbs": [{"title": _("Mijn omgeving"), "url": ""}],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationProfileForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_add_errors(form, exc)
        else:
            messages.success(request, _("Uw organisatie is geregistreerd. U bent beheerder."))
            return redirect("organisations:detail", organisation.pk)
    crumbs = [_home_crumb(), {"title": _("Organisatie registreren"), "url": ""}]
    return render(request, "organisations/organisation_create.html", {"form": form, "crumbs": crumbs})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_member(user=request.user, organisation_id=pk)
    context = _org_context(request, organisation, "profile")
    form = None
    if context["is_admin"]:
        if request.method == "POST":
            form = OrganisationProfileForm(request.POST)
            if form.is_valid():
                try:
                    services.organisation_update_profile(
                        actor=request.user, organisation=organisation, **form.cleaned_data
                    )
                except ValidationError as exc:
                    _form_add_errors(form, exc)
                else:
                    messages.success(request, _("Het profiel is opgeslagen."))
                    return redirect("organisations:detail", organisation.pk)
        else:
            form = OrganisationProfileForm(initial=OrganisationProfileForm.initial_for(organisation))
    elif request.method == "POST":
        _forbidden()
    context |= {
        "form": form,
        "crumbs": _org_crumbs(organisation)[:-1] + [{"title": organisation.name, "url": ""}],
    }
    return render(request, "organisations/organisation_detail.html", context)


def _forbidden() -> NoReturn:
    raise PermissionDenied(_("Alleen beheerders van de organisatie mogen dit doen."))


# --- domains ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def organisation_domains(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_member(user=request.user, organisation_id=pk)
    context = _org_context(request, organisation, "domains")
    form = DomainForm(request.POST or None) if context["is_admin"] else None
    if request.method == "POST":
        if form is None:
            _forbidden()
        if form.is_valid():
            try:
                domain = services.organisation_domain_add(
                    actor=request.user, organisation=organisation, name=form.cleaned_data["name"]
                )
            except ValidationError as exc:
                _form_add_errors(form, exc)
            else:
                messages.success(request, _("Domein %(name)s is toegevoegd.") % {"name": domain.name})
                return redirect("organisations:domains", organisation.pk)
    page = _page(request, selectors.organisation_domains(organisation=organisation))
    context |= {
        "form": form,
        "page": page,
        "rows": _domain_rows(request, organisation, list(page.object_list)),
        "rescan_days": settings.DTC_SCAN_RESCAN_DAYS,
        "crumbs": _org_crumbs(organisation, (_("Domeinen"), "")),
    }
    return render(request, "organisations/organisation_domains.html", context)


def _domain_rows(request: HttpRequest, organisation: Organisation, domains: list[Domain]) -> list[dict[str, Any]]:
    """Each domain with the organisation's latest scan of it that did not fail (one query for all)."""
    from dtc.core import visibility
    from dtc.scans.models import Scan

    latest: dict[str, Any] = {}
    scans = (
        visibility.organisation_scans_visible_to(user=request.user, organisation_id=organisation.pk)
        .filter(domain__in=[domain.name for domain in domains]).exclude(status=Scan.Status.FAILED)
        .order_by("-created_at")
        .only("key", "domain", "status", "score_web", "score_mail", "created_at", "finished_at")
    )
    for scan in scans:
        latest.setdefault(scan.domain, scan)
    return [{"domain": domain, "latest": latest.get(domain.name)} for domain in domains]


def _domain_get(organisation: Organisation, domain_id: int) -> Domain:
    return get_object_or_404(Domain.objects.select_related("organisation"), pk=domain_id, organisation=organisation)


@login_required
@require_GET
def organisation_domain(request: HttpRequest, pk: int, domain_id: int) -> HttpResponse:
    """One domain: how to show ownership (admins), its status, and the timeline of its scans."""
    from dtc.core import visibility
    from dtc.scans import ownership
    from dtc.scans.models import Scan

    organisation = selectors.organisation_get_for_member(user=request.user, organisation_id=pk)
    domain = _domain_get(organisation, domain_id)
    scans = list(
        visibility.organisation_scans_visible_to(user=request.user, organisation_id=organisation.pk)
        .filter(domain=domain.name).exclude(status=Scan.Status.FAILED).order_by("-created_at")[:52]
    )
    context = _org_context(request, organisation, "domains")
    context |= {
        "domain": domain,
        "proof": {
            "txt_name": ownership.txt_name(domain.name),
            "txt_value": ownership.txt_value(domain.verification_token),
            "file_url": ownership.file_url(domain.name),
            "file_content": domain.verification_token,
        },
        "latest": scans[0] if scans else None,
        "scans": scans,
        "rescan_days": settings.DTC_SCAN_RESCAN_DAYS,
        "crumbs": _org_crumbs(
            organisation, (_("Domeinen"), reverse("organisations:domains", args=[organisation.pk])), (domain.name, "")
        ),
    }
    return render(request, "organisations/organisation_domain.html", context)


@login_required
@require_POST
def organisation_domain_verify(request: HttpRequest, pk: int, domain_id: int) -> HttpResponse:
    from dtc.scans import ownership
    from dtc.scans.services import scan_context

    organisation = selectors.organisation_get_for_admin(user=request.user, organisation_id=pk)
    domain = _domain_get(organisation, domain_id)
    result = ownership.domain_verify(domain, context=scan_context(), actor=request.user)
    level = messages.SUCCESS if result.verified else messages.ERROR
    messages.add_message(request, level, result.summary)
    for line in result.messages:
        messages.add_message(request, level, line)
    return redirect("organisations:domain", organisation.pk, domain.pk)


@login_required
@require_POST
def organisation_domain_scan(request: HttpRequest, pk: int, domain_id: int) -> HttpResponse:
    from dtc.scans import ownership

    organisation = selectors.organisation_get_for_admin(user=request.user, organisation_id=pk)
    domain = _domain_get(organisation, domain_id)
    try:
        scan = ownership.organisation_scan_request(actor=request.user, domain=domain)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("organisations:domain", organisation.pk, domain.pk)
    return redirect("organisations:scan_detail", organisation.pk, scan.key)


@never_cache
@login_required
@require_GET
def organisation_scan_detail(request: HttpRequest, pk: int, key: str) -> HttpResponse:
    """A scan of one of the organisation's domains, for its members; follows a running scan live."""
    from dtc.core import visibility
    from dtc.scans.presentation import scan_sections

    organisation = selectors.organisation_get_for_member(user=request.user, organisation_id=pk)
    scan = visibility.organisation_scan_get_visible(user=request.user, organisation_id=organisation.pk, key=key)
    domain = Domain.objects.filter(organisation=organisation, name=scan.domain).first()
    domains_url = reverse("organisations:domains", args=[organisation.pk])
    extra = [(_("Domeinen"), domains_url)]
    if domain is not None:
        extra.append((domain.name, reverse("organisations:domain", args=[organisation.pk, domain.pk])))
    extra.append((_("Scan van %(date)s") % {"date": date_format(timezone.localtime(scan.created_at))}, ""))
    context = _org_context(request, organisation, "domains")
    context |= {
        "scan": scan, "domain": domain, **scan_sections(scan=scan),
        "crumbs": _org_crumbs(organisation, *extra),
    }
    return render(request, "organisations/organisation_scan.html", context)


@login_required
@require_POST
def organisation_domain_remove(request: HttpRequest, pk: int, domain_id: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_admin(user=request.user, organisation_id=pk)
    domain = get_object_or_404(Domain, pk=domain_id, organisation=organisation)
    services.organisation_domain_remove(actor=request.user, domain=domain)
    messages.success(request, _("Domein %(name)s is verwijderd.") % {"name": domain.name})
    return redirect("organisations:domains", organisation.pk)


# --- products --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def organisation_products(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_member(user=request.user, organisation_id=pk)
    context = _org_context(request, organisation, "products")
    search_form = ProductSearchForm(request.GET or None)
    query = search_form.cleaned_data["q"] if search_form.is_valid() else ""
    add_form = None
    if request.method == "POST":
        if not context["is_admin"]:
            _forbidden()
        add_form = ProductAddForm(request.POST)
        if add_form.is_valid():
            product = Product.objects.filter(pk=add_form.cleaned_data["product"]).first()
            if product is None:
                add_form.add_error(None, _("Dit product staat niet (meer) in de catalogus."))
            else:
                try:
                    services.organisation_product_add(
                        actor=request.user,
                        organisation=organisation,
                        product=product,
                        version=add_form.cleaned_data["version"],
                    )
                except ValidationError as exc:
                    _form_add_errors(add_form, exc)
                else:
                    messages.success(request, _("%(product)s staat nu in uw lijst.") % {"product": product})
                    return redirect("organisations:products", organisation.pk)
    results = list(selectors.product_catalogue_search(query=query, limit=20)) if query else []
    failed_product = add_form.data.get("product") if add_form is not None and add_form.errors else None
    confirmation = selectors.organisation_products_confirmation(organisation=organisation)
    context |= {
        "confirmed_at": confirmation.confirmed_at,
        "confirm_due": confirmation.due,
        "search_form": search_form,
        "query": query,
        "results": results,
        "add_form": add_form,
        "failed_product": str(failed_product or ""),
        "page": _page(request, selectors.organisation_products(organisation=organisation)),
        "crumbs": _org_crumbs(organisation, (_("Producten"), "")),
    }
    return render(request, "organisations/organisation_products.html", context)


@login_required
@require_POST
def organisation_product_remove(request: HttpRequest, pk: int, use_id: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_admin(user=request.user, organisation_id=pk)
    use = get_object_or_404(
        OrganisationProduct.objects.select_related("product"), pk=use_id, organisation=organisation
    )
    services.organisation_product_remove(actor=request.user, organisation_product=use)
    messages.success(request, _("%(product)s is uit uw lijst verwijderd.") % {"product": use.product})
    return redirect("organisations:products", organisation.pk)


# The pending import between preview and confirm: only (product id, version) pairs, a one-time token
# and the organisation, in the server-side session. The preview itself is rendered from the upload.
IMPORT_SESSION_KEY = "dtc.organisations.products_import"
UNMATCHED_SHOWN = 200


@login_required
@require_http_methods(["GET", "POST"])
def organisation_products_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a CSV or SBOM; on success show the preview (matched / unmatched) with a confirm button."""
    organisation = selectors.organisation_get_for_admin(user=request.user, organisation_id=pk)
    kind = request.POST.get("format", "") if request.method == "POST" else ""
    import_forms = {
        name: ProductImportForm(
            request.POST if name == kind else None, request.FILES if name == kind else None, kind=name
        )
        for name in product_import.FORMATS
    }
    file_errors: list[str] = []
    if request.method == "POST":
        form = import_forms.get(kind)
        if form is None:
            file_errors = [_("Kies een bestand in een van de formulieren hieronder.")]
        elif form.is_valid():
            try:
                parsed = product_import.file_parse(kind=kind, data=form.cleaned_data["file"].read())
            except product_import.ImportFileError as exc:
                file_errors = exc.errors
            else:
                return _products_import_preview(request, organisation, parsed)
    context = _org_context(request, organisation, "products") | {
        "import_forms": list(import_forms.values()),
        "failed_kind": kind,
        "file_errors": file_errors,
        "crumbs": _org_crumbs(
            organisation,
            (_("Producten"), reverse("organisations:products", args=[organisation.pk])),
            (_("Importeren"), ""),
        ),
    }
    failed = request.method == "POST"
    return render(
        request, "organisations/organisation_products_import.html", context, status=400 if failed else 200
    )


def _products_import_preview(
    request: HttpRequest, organisation: Organisation, parsed: product_import.ParsedFile
) -> HttpResponse:
    preview = product_import.preview_build(organisation=organisation, parsed=parsed)
    token = secrets.token_urlsafe(16)
    request.session[IMPORT_SESSION_KEY] = {
        "organisation": organisation.pk,
        "token": token,
        "source": parsed.kind,
        "items": preview.items,
    }
    context = _org_context(request, organisation, "products") | {
        "preview": preview,
        "counts": preview.counts,
        "unmatched_shown": preview.unmatched[:UNMATCHED_SHOWN],
        "unmatched_hidden": max(0, len(preview.unmatched) - UNMATCHED_SHOWN),
        "token": token,
        "crumbs": _org_crumbs(
            organisation,
            (_("Producten"), reverse("organisations:products", args=[organisation.pk])),
            (_("Importeren"), reverse("organisations:products_import", args=[organisation.pk])),
            (_("Controleren"), ""),
        ),
    }
    return render(request, "organisations/organisation_products_import_preview.html", context)


@login_required
@require_POST
def organisation_products_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_admin(user=request.user, organisation_id=pk)
    pending = request.session.get(IMPORT_SESSION_KEY) or {}
    if pending.get("organisation") != organisation.pk or not constant_time_compare(
        str(pending.get("token", "")), request.POST.get("token", "")
    ):
        messages.error(request, _("Deze controle is verlopen of al gebruikt. Laad het bestand opnieuw."))
        return redirect("organisations:products_import", organisation.pk)
    try:
        counts = services.organisation_products_import(
            actor=request.user,
            organisation=organisation,
            items=[(int(product_id), version) for product_id, version in pending["items"]],
            source=pending["source"],
        )
    except ValidationError as exc:
        return redirect_with_errors(request, exc, "organisations:products_import", organisation.pk)
    del request.session[IMPORT_SESSION_KEY]
    messages.success(
        request,
        ngettext(
            "Import verwerkt: %(added)d product toegevoegd, %(updated)d bijgewerkt.",
            "Import verwerkt: %(added)d producten toegevoegd, %(updated)d bijgewerkt.",
            counts["added"],
        )
        % counts,
    )
    return redirect("organisations:products", organisation.pk)


@login_required
@require_POST
def organisation_products_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The "Klopt nog" button: the admin says the product list is still right."""
    organisation = selectors.organisation_get_for_admin(user=request.user, organisation_id=pk)
    services.products_confirm(organisation=organisation, actor=request.user)
    messages.success(request, _("Dank u. Wij vragen het u over een tijd opnieuw."))
    return redirect("organisations:products", organisation.pk)


# --- members and invitations -----------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def organisation_members(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_member(user=request.user, organisation_id=pk)
    context = _org_context(request, organisation, "members")
    form = InvitationForm(request.POST or None) if context["is_admin"] else None
    if request.method == "POST":
        if form is None:
            _forbidden()
        if form.is_valid():
            try:
                invitation = services.invitation_create(
                    actor=request.user, organisation=organisation, **form.cleaned_data
                )
            except ValidationError as exc:
                _form_add_errors(form, exc)
            else:
                messages.success(
                    request, _("De uitnodiging is verstuurd naar %(email)s.") % {"email": invitation.email}
                )
                return redirect("organisations:members", organisation.pk)
    invitations = (
        selectors.organisation_invitations_open(organisation=organisation) if context["is_admin"] else []
    )
    context |= {
        "form": form,
        "page": _page(request, selectors.organisation_members(organisation=organisation)),
        "invitations": list(invitations),
        "retention_days": settings.DTC_RETENTION["invitations"],
        "crumbs": _org_crumbs(organisation, (_("Leden"), "")),
    }
    return render(request, "organisations/organisation_members.html", context)


@login_required
@require_POST
def membership_remove(request: HttpRequest, pk: int, membership_id: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_admin(user=request.user, organisation_id=pk)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organisation"), pk=membership_id, organisation=organisation
    )
    try:
        services.membership_remove(actor=request.user, membership=membership)
    except ValidationError as exc:
        return redirect_with_errors(request, exc, "organisations:members", organisation.pk)
    messages.success(request, _("%(email)s is geen lid meer.") % {"email": membership.user.email})
    if membership.user_id == request.user.pk:
        return redirect("organisations:dashboard")
    return redirect("organisations:members", organisation.pk)


@login_required
@require_POST
def membership_role(request: HttpRequest, pk: int, membership_id: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_admin(user=request.user, organisation_id=pk)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "organisation"), pk=membership_id, organisation=organisation
    )
    try:
        services.membership_role_set(
            actor=request.user, membership=membership, role=request.POST.get("role", "")
        )
    except ValidationError as exc:
        return redirect_with_errors(request, exc, "organisations:members", organisation.pk)
    messages.success(request, _("De rol van %(email)s is gewijzigd.") % {"email": membership.user.email})
    return redirect("organisations:members", organisation.pk)


@login_required
@require_POST
def membership_leave(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_member(user=request.user, organisation_id=pk)
    try:
        services.membership_leave(actor=request.user, organisation=organisation)
    except ValidationError as exc:
        return redirect_with_errors(request, exc, "organisations:members", organisation.pk)
    messages.success(request, _("U bent geen lid meer van %(name)s.") % {"name": organisation.name})
    return redirect("organisations:dashboard")


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int, invitation_id: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_admin(user=request.user, organisation_id=pk)
    invitation = get_object_or_404(Invitation, pk=invitation_id, organisation=organisation)
    services.invitation_revoke(actor=request.user, invitation=invitation)
    messages.success(
        request, _("De uitnodiging voor %(email)s is ingetrokken.") % {"email": invitation.email}
    )
    return redirect("organisations:members", organisation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.invitation_get_by_token(token=token)
    error = None
    if request.method == "POST":
        try:
            membership = services.invitation_accept(actor=request.user, token=token)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request, _("Welkom! U bent nu lid van %(name)s.") % {"name": membership.organisation.name}
            )
            return redirect("organisations:detail", membership.organisation_id)
    crumbs = [_home_crumb(), {"title": _("Uitnodiging"), "url": ""}]
    return render(
        request,
        "organisations/invitation_accept.html",
        {
            "invitation": invitation,
            "expires_at": services.invitation_expires_at(invitation),
            "expired": services.invitation_expires_at(invitation) < timezone.now(),
            "error": error,
            "crumbs": crumbs,
        },
        status=400 if error else 200,
    )


# --- the user's own data ---------------------------------------------------------------------


@login_required
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "organisations/privacy.html",
        {
            "retention": settings.DTC_RETENTION,
            "delete_form": AccountDeleteForm(user=request.user),
            "crumbs": [_home_crumb(), {"title": _("Mijn gegevens"), "url": ""}],
        },
    )


@login_required
@require_GET
def privacy_export(request: HttpRequest) -> HttpResponse:
    data = services.user_data_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    filename = f"mijn-gegevens-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        services.user_delete(actor=user, user=user)  # type: ignore[arg-type]
        logout(request)
        messages.success(request, _("Uw account en uw gegevens zijn verwijderd."))
        return redirect("/")
    crumbs = [
        _home_crumb(),
        {"title": _("Mijn gegevens"), "url": reverse("organisations:privacy")},
        {"title": _("Account verwijderen"), "url": ""},
    ]
    return render(
        request,
        "organisations/account_delete.html",
        {"form": form, "crumbs": crumbs},
        status=400 if form.errors else 200,
    )


# --- the personal feed token --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def feed_token(request: HttpRequest) -> HttpResponse:
    """Make, replace or revoke the personal token for feed readers. A new token is shown once."""
    new_key = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            if services.feed_token_revoke(actor=request.user):
                messages.success(
                    request, _("Uw feedtoken is ingetrokken. Feedlezers met de oude link krijgen niets meer.")
                )
            return redirect("organisations:feed_token")
        new_key = services.feed_token_rotate(actor=request.user)
    has_token = FeedToken.objects.filter(user=request.user).exists()
    feed_url = request.build_absolute_uri(reverse("community:feed_all"))
    return render(
        request,
        "organisations/feed_token.html",
        {
            "new_key": new_key,
            "has_token": has_token,
            "feed_url": feed_url,
            "crumbs": [_home_crumb(), {"title": _("Feeds"), "url": ""}],
        },
    )
