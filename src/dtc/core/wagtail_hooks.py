from django.templatetags.static import static
from django.utils.html import format_html
from wagtail import hooks


@hooks.register("insert_global_admin_js")
def csp_safe_widgets() -> str:
    return format_html('<script src="{}" defer></script>', static("dtc/admin/csp-widgets.js"))
