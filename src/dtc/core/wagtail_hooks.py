from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks


@hooks.register("insert_global_admin_js")
def csp_safe_widgets() -> str:
    return format_html('<script src="{}" defer></script>', static("dtc/admin/csp-widgets.js"))


@hooks.register("before_serve_page")
def serve_only_visible_pages(page, request, serve_args, serve_kwargs):
    """Serving a page asks the visibility module too: Wagtail's router would otherwise serve a live
    page below an unpublished ancestor. (View restrictions are enforced by Wagtail itself, with a
    login or password form, so they are left to it here.)"""
    from django.http import Http404

    from dtc.core.visibility import hidden_ancestors_exist

    if hidden_ancestors_exist(page):
        raise Http404
    return None


# --- Audit log for editorial actions in the CMS ---------------------------------------------
# Wagtail keeps its own page history; staff actions are also written to our audit log so that one
# place answers "who changed what, when, from what to what" for every back-office action.

PAGE_AUDIT_FIELDS = ["title", "slug", "live", "has_unpublished_changes", "go_live_at", "expire_at", "path"]


def _page_snapshot(page) -> dict:
    from dtc.core.audit import audit_snapshot

    snapshot = audit_snapshot(page, fields=PAGE_AUDIT_FIELDS)
    snapshot["revision"] = page.latest_revision_id
    return snapshot


def _page_audit(request, page, action: str, *, before: dict | None = None, after: bool = True) -> None:
    from dtc.core.audit import audit_log_record

    fresh = type(page).objects.filter(pk=page.pk).first() if after else None
    audit_log_record(
        actor=request.user,
        action=action,
        target=page,
        before=before,
        after=_page_snapshot(fresh) if fresh is not None else None,
    )


@hooks.register("before_edit_page")
def audit_before_edit_page(request, page):
    request._dtc_page_before = _page_snapshot(type(page).objects.get(pk=page.pk))


@hooks.register("after_edit_page")
def audit_after_edit_page(request, page):
    _page_audit(request, page, "cms.page.edit", before=getattr(request, "_dtc_page_before", None))


@hooks.register("after_create_page")
def audit_after_create_page(request, page):
    _page_audit(request, page, "cms.page.create")


@hooks.register("after_publish_page")
def audit_after_publish_page(request, page):
    _page_audit(request, page, "cms.page.publish", before=getattr(request, "_dtc_page_before", None))


@hooks.register("after_unpublish_page")
def audit_after_unpublish_page(request, page):
    _page_audit(request, page, "cms.page.unpublish")


@hooks.register("before_delete_page")
def audit_before_delete_page(request, page):
    if request.method == "POST":
        _page_audit(request, page, "cms.page.delete", before=_page_snapshot(page), after=False)


@hooks.register("after_move_page")
def audit_after_move_page(request, page):
    _page_audit(request, page, "cms.page.move")


@hooks.register("after_publish_page")
@hooks.register("after_unpublish_page")
@hooks.register("after_move_page")
@hooks.register("after_delete_page")
def clear_page_cache(request, page):
    from dtc.core.pagecache import page_cache_clear

    page_cache_clear()
