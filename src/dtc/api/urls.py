from django.urls import path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView

from dtc.api import views, views_assessment
from dtc.api.exceptions import not_found


class IdConverter:
    """Database ids: at most 18 digits, so no request can overflow a 64-bit integer column."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


class PageSlugConverter:
    """Wagtail slugs: letters (Unicode allowed, as WAGTAIL_ALLOW_UNICODE_SLUGS), digits, - and _."""

    regex = r"[-\w]{1,255}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(IdConverter, "api_id")
register_converter(PageSlugConverter, "page_slug")

urlpatterns = [
    path("principles/", views.PrincipleListView.as_view(), name="api-principle-list"),
    path("principles/<page_slug:slug>/", views.PrincipleDetailView.as_view(), name="api-principle-detail"),
    path("articles/", views.ArticleListView.as_view(), name="api-article-list"),
    path("articles/<page_slug:slug>/", views.ArticleDetailView.as_view(), name="api-article-detail"),
    path("organisations/", views.OrganisationListView.as_view(), name="api-organisation-list"),
    path("organisations/<api_id:id>/", views.OrganisationDetailView.as_view(), name="api-organisation-detail"),
    path("communities/", views.CommunityListView.as_view(), name="api-community-list"),
    path("communities/<api_id:id>/", views.CommunityDetailView.as_view(), name="api-community-detail"),
    path("communities/<api_id:id>/memberships/", views.CommunityMembershipListView.as_view(),
         name="api-community-memberships"),
    path("communities/<api_id:id>/join/", views.CommunityJoinView.as_view(), name="api-community-join"),
    path("communities/<api_id:id>/items/", views.CommunityItemListView.as_view(), name="api-community-items"),
    path("items/", views.ItemListView.as_view(), name="api-item-list"),
    path("items/<api_id:id>/", views.ItemDetailView.as_view(), name="api-item-detail"),
    path("items/<api_id:id>/publish/", views.ItemPublishView.as_view(), name="api-item-publish"),
    path("items/<api_id:id>/marking/", views.ItemMarkingView.as_view(), name="api-item-marking"),
    path("items/<api_id:id>/comments/", views.ItemCommentListView.as_view(), name="api-item-comments"),
    path("auth/token/", views.TokenObtainView.as_view(), name="api-token-obtain"),
    path("assessment/questions/", views_assessment.AssessmentQuestionsView.as_view(),
         name="api-assessment-questions"),
    path("assessment/results/", views_assessment.AssessmentResultCreateView.as_view(),
         name="api-assessment-results"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", views.SwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # Last: anything else under /api/v1/ is a JSON 404, not the site's HTML error page.
    re_path(r"^.*$", not_found, name="api-not-found"),
]
