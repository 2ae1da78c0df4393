"""The JSON API (/api/v1/). Thin: parse input, call one selector or service, serialize.

Public knowledge (principles, articles) is readable anonymously; organisation profiles only by
their members, and changed only by their admins (through organisations.services).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions, generics, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dtc.api import selectors, serializers, services
from dtc.knowledge import selectors as knowledge_selectors
from dtc.organisations import selectors as organisation_selectors
from dtc.organisations import services as organisation_services


def _error(description: str, serializer: type = serializers.ErrorSerializer) -> OpenApiResponse:
    return OpenApiResponse(response=serializer, description=description)


E400 = _error(_("Ongeldige invoer; de meldingen staan per veld in `errors`."), serializers.ValidationErrorSerializer)
E401 = _error(_("Niet ingelogd, of het token is ongeldig."))
E403 = _error(_("Geen toestemming voor deze handeling."))
E404 = _error(_("Niet gevonden (of niet zichtbaar voor u), of een paginanummer buiten bereik."))
E429 = _error(_("Te veel verzoeken; probeer het later opnieuw."))
PUBLIC_ERRORS = {400: E400, 401: E401, 404: E404, 429: E429}
PRIVATE_ERRORS = {400: E400, 401: E401, 403: E403, 404: E404, 429: E429}
ORGANISATION_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("Nummer van de organisatie")
)


class JSONOnly:
    """API responses, errors included, are JSON whatever the client's Accept header asks for."""

    renderer_classes = [JSONRenderer]


# --- Knowledge --------------------------------------------------------------------------------


@extend_schema(tags=[_("kennis")], summary=_("Basisprincipes"), responses={200: serializers.PrincipleSerializer(many=True),
                                                                     **PUBLIC_ERRORS})
class PrincipleListView(JSONOnly, generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = serializers.PrincipleSerializer

    def get_queryset(self):
        return knowledge_selectors.principles_list()


@extend_schema(tags=[_("kennis")], summary=_("Eén basisprincipe"),
               responses={200: serializers.PrincipleDetailSerializer, **PUBLIC_ERRORS})
class PrincipleDetailView(JSONOnly, generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = serializers.PrincipleDetailSerializer

    def get_object(self):
        return selectors.principle_get_public(slug=self.kwargs["slug"])


class _ArticleContextMixin:
    def get_serializer_context(self):
        context = super().get_serializer_context()  # type: ignore[misc]
        context["categories_by_path"] = selectors.article_categories_by_path()
        return context


@extend_schema(
    tags=[_("kennis")], summary=_("Artikelen"),
    description=_("Gepubliceerde artikelen, nieuwste eerst; met `q` in volgorde van relevantie."),
    parameters=[serializers.ArticleFilterSerializer],
    responses={200: serializers.ArticleSerializer(many=True), **PUBLIC_ERRORS},
)
class ArticleListView(JSONOnly, _ArticleContextMixin, generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = serializers.ArticleSerializer

    def get_queryset(self):
        filters = serializers.ArticleFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.articles_filtered(
            category=filters.validated_data.get("category"),
            principle=filters.validated_data.get("principle"),
            query=filters.validated_data.get("q"),
        )


@extend_schema(tags=[_("kennis")], summary=_("Eén artikel"),
               responses={200: serializers.ArticleDetailSerializer, **PUBLIC_ERRORS})
class ArticleDetailView(JSONOnly, _ArticleContextMixin, generics.RetrieveAPIView):
    permission_classes = [AllowAny]
    serializer_class = serializers.ArticleDetailSerializer

    def get_object(self):
        return selectors.article_get_public(slug=self.kwargs["slug"])


# --- Organisations ----------------------------------------------------------------------------


def _prefetch_profile(queryset):
    return queryset.select_related("municipality").prefetch_related("domains", "product_uses__product")


@extend_schema(tags=[_("organisaties")], summary=_("Mijn organisaties"),
               responses={200: serializers.OrganisationSerializer(many=True), **PRIVATE_ERRORS})
class OrganisationListView(JSONOnly, generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = serializers.OrganisationSerializer

    def get_queryset(self):
        return _prefetch_profile(organisation_selectors.organisations_for_user(user=self.request.user))


class OrganisationDetailView(JSONOnly, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=[_("organisaties")], summary=_("Profiel van een organisatie"), parameters=[ORGANISATION_ID],
                   responses={200: serializers.OrganisationSerializer, **PRIVATE_ERRORS})
    def get(self, request: Request, id: int) -> Response:
        organisation = organisation_selectors.organisation_get_for_member(user=request.user, organisation_id=id)
        return Response(self._serialize(organisation, request))

    @extend_schema(
        tags=[_("organisaties")], summary=_("Profiel wijzigen (alleen beheerders van de organisatie)"),
        parameters=[ORGANISATION_ID], request=serializers.OrganisationUpdateSerializer,
        responses={200: serializers.OrganisationSerializer, **PRIVATE_ERRORS},
    )
    def patch(self, request: Request, id: int) -> Response:
        # Non-members get 404 (the organisation's existence stays hidden); members who are no admin 403.
        organisation = organisation_selectors.organisation_get_for_admin(user=request.user, organisation_id=id)
        changes = serializers.OrganisationUpdateSerializer(data=request.data, partial=True)
        changes.is_valid(raise_exception=True)
        # PATCH: fields left out keep their value; the service takes the whole profile.
        profile = {field: getattr(organisation, field) for field in changes.fields}
        organisation = organisation_services.organisation_update_profile(
            actor=request.user, organisation=organisation, **(profile | changes.validated_data)
        )
        return Response(self._serialize(organisation, request))

    def _serialize(self, organisation, request: Request) -> dict:
        fresh = _prefetch_profile(type(organisation).objects.filter(pk=organisation.pk)).get()
        return serializers.OrganisationSerializer(fresh, context={"request": request}).data


# --- Tokens -----------------------------------------------------------------------------------


class InvalidCredentials(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_credentials"


class TokenObtainView(JSONOnly, APIView):
    """Exchange e-mail address and password for the personal API token."""

    permission_classes = [AllowAny]
    authentication_classes: list = []  # credentials come in the body; no CSRF, no token needed

    @extend_schema(
        tags=[_("token")], summary=_("API-token ophalen met e-mailadres en wachtwoord"),
        description=_(
            "Geeft het persoonlijke API-token (en maakt het aan als er nog geen is). Accounts met "
            "tweestapsverificatie krijgen 403 `mfa_required`: maak het token dan aan op de website, "
            "onder Mijn omgeving → API-token. Mislukte pogingen tellen mee voor dezelfde limiet als "
            "inloggen op de website."
        ),
        request=serializers.TokenObtainSerializer,
        responses={
            200: serializers.TokenSerializer,
            400: _error(_("Ongeldige invoer, of e-mailadres/wachtwoord klopt niet (`invalid_credentials`)."),
                        serializers.ErrorWithOptionalFieldsSerializer),
            403: _error(_("Tweestapsverificatie aan (`mfa_required`) of e-mailadres niet bevestigd.")),
            429: E429,
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        credentials = serializers.TokenObtainSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        try:
            token = services.api_token_obtain(request=request._request, **credentials.validated_data)
        except services.TokenObtainRefused as refused:
            if refused.code == "too_many_attempts":
                raise exceptions.Throttled(detail=refused.message, code=refused.code) from None
            if refused.code == "invalid_credentials":
                raise InvalidCredentials(detail=refused.message, code=refused.code) from None
            raise exceptions.PermissionDenied(detail=refused.message, code=refused.code) from None
        return Response({"token": token.key})


# --- Documentation ----------------------------------------------------------------------------


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI with its page styles in a static file: the site's CSP allows no inline <style>."""

    template_name = "api/swagger_ui.html"
