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
