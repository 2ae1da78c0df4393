"""The JSON API (/api/v1/). Thin: parse input, call one selector or service, serialize.

Public knowledge (principles, articles) is readable anonymously; organisation profiles only by
their members, and changed only by their admins (through organisations.services). The trust platform
(communities, memberships, shared items, comments) only by signed-in users, with exactly what
dtc.core.visibility lets them see; changes go through community.services.
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
from dtc.community import services as community_services
from dtc.community.models import CommunityMembership, Tlp
from dtc.core import visibility
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


# --- Trust platform: communities, memberships, items, comments -------------------------------
# Every community and item is looked up through dtc.core.visibility (directly or via the selectors):
# hidden is a 404, never a 403, and an id the user may not see is "unknown" in a request body.

COMMUNITY_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("Nummer van de community")
)
ITEM_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("Nummer van het item"))
COMMUNITY_TAGS = [_("communities")]
ITEM_TAGS = [_("gedeelde items")]


def _unknown(ids: list[int]) -> str:
    return _("Onbekend (of niet zichtbaar voor u): %(ids)s.") % {"ids": ", ".join(str(i) for i in ids)}


def _item_response(request: Request, item_id: int, *, status_code: int = status.HTTP_200_OK) -> Response:
    item = selectors.item_get_for_api(user=request.user, item_id=item_id)
    return Response(serializers.ItemSerializer(item, context={"request": request}).data, status=status_code)


@extend_schema(tags=COMMUNITY_TAGS, summary=_("Communities die u mag zien"),
               description=_("Communities met vertrouwelijk lidmaatschap alleen als u er (uitgenodigd) lid van bent."),
               responses={200: serializers.CommunitySerializer(many=True), **PRIVATE_ERRORS})
class CommunityListView(JSONOnly, generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = serializers.CommunitySerializer

    def get_queryset(self):
        return selectors.communities_for_api(user=self.request.user)


@extend_schema(tags=COMMUNITY_TAGS, summary=_("Eén community"), parameters=[COMMUNITY_ID],
               responses={200: serializers.CommunitySerializer, **PRIVATE_ERRORS})
class CommunityDetailView(JSONOnly, generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = serializers.CommunitySerializer

    def get_object(self):
        return selectors.community_get_for_api(user=self.request.user, community_id=self.kwargs["id"])


@extend_schema(
    tags=COMMUNITY_TAGS, summary=_("Leden van een community"), parameters=[COMMUNITY_ID],
    description=_("Coördinatoren zien alle lidmaatschappen; actieve leden de actieve leden; anderen, en "
                  "leden van een community met vertrouwelijk lidmaatschap, alleen hun eigen lidmaatschap."),
    responses={200: serializers.CommunityMembershipSerializer(many=True), **PRIVATE_ERRORS},
)
class CommunityMembershipListView(JSONOnly, generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = serializers.CommunityMembershipSerializer

    def get_queryset(self):
        community = visibility.community_get_visible(user=self.request.user, community_id=self.kwargs["id"])
        return selectors.community_memberships_for_api(user=self.request.user, community=community)


class CommunityJoinView(JSONOnly, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=COMMUNITY_TAGS, summary=_("Lid worden: aanvraag (of openstaande uitnodiging accepteren)"),
        parameters=[COMMUNITY_ID], request=serializers.CommunityJoinSerializer,
        description=_("Alleen bij communities die op verzoek werken; een coördinator beslist. Had u een "
                      "uitnodiging, dan bent u meteen lid (200)."),
        responses={201: serializers.CommunityMembershipSerializer, 200: serializers.CommunityMembershipSerializer,
                   **PRIVATE_ERRORS},
    )
    def post(self, request: Request, id: int) -> Response:
        community = visibility.community_get_visible(user=request.user, community_id=id)
        data = serializers.CommunityJoinSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organisation = None
        organisation_id = data.validated_data.get("organisation")
        if organisation_id is not None:
            organisation = organisation_selectors.organisations_for_user(user=request.user).filter(
                pk=organisation_id
            ).first()
            if organisation is None:
                raise exceptions.ValidationError({"organisation": [_unknown([organisation_id])]})
        membership = community_services.community_request_join(
            actor=request.user, community=community, organisation=organisation
        )
        body = serializers.CommunityMembershipSerializer(membership, context={"request": request}).data
        # Active now: an open invitation was accepted (it existed); otherwise a new request.
        accepted = membership.status == CommunityMembership.Status.ACTIVE
        return Response(body, status=status.HTTP_200_OK if accepted else status.HTTP_201_CREATED)


@extend_schema(tags=COMMUNITY_TAGS, summary=_("De items van een community (de tijdlijn)"), parameters=[COMMUNITY_ID],
               description=_("Items met deze community als ontvanger die u mag zien, nieuwste eerst."),
               responses={200: serializers.ItemSerializer(many=True), **PRIVATE_ERRORS})
class CommunityItemListView(JSONOnly, generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = serializers.ItemSerializer

    def get_queryset(self):
        community = visibility.community_get_visible(user=self.request.user, community_id=self.kwargs["id"])
        return selectors.community_items_for_api(user=self.request.user, community=community)


class ItemListView(JSONOnly, generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = serializers.ItemSerializer

    @extend_schema(
        tags=ITEM_TAGS, summary=_("Alle items die u mag zien"),
        description=_("Gepubliceerde items die het TLP-label en de ontvangers u laten zien, en uw eigen "
                      "concepten; nieuwste eerst."),
        parameters=[serializers.ItemFilterSerializer],
        responses={200: serializers.ItemSerializer(many=True), **PRIVATE_ERRORS},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)

    def get_queryset(self):
        filters = serializers.ItemFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return selectors.items_filtered(
            user=self.request.user,
            tlp=filters.validated_data.get("tlp"),
            kind=filters.validated_data.get("kind"),
            community_id=filters.validated_data.get("community"),
            status=filters.validated_data.get("status"),
            query=filters.validated_data.get("q"),
        )

    @extend_schema(
        tags=ITEM_TAGS, summary=_("Een item delen"), request=serializers.ItemCreateSerializer,
        description=_("Een concept (alleen u ziet het) of, met publish, meteen gepubliceerd. Ontvangers: "
                      "communities waarvan u actief lid bent, organisaties en/of personen; het TLP-label "
                      "moet bij de ontvangers passen (TLP:RED alleen personen; TLP:AMBER alleen communities "
                      "die als één organisatie tellen)."),
        responses={201: serializers.ItemSerializer, **PRIVATE_ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = serializers.ItemCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        audience, errors = _audience_resolve(request, values, current=None)
        author_organisation = None
        if values.get("author_organisation") is not None:
            author_organisation = organisation_selectors.organisations_for_user(user=request.user).filter(
                pk=values["author_organisation"]
            ).first()
            if author_organisation is None:
                errors["author_organisation"] = [_unknown([values["author_organisation"]])]
        if errors:
            raise exceptions.ValidationError(errors)
        item = community_services.item_create(
            actor=request.user, kind=values["kind"], title=values["title"], tlp=values["tlp"],
            body_markdown=values.get("body_markdown", ""), author_organisation=author_organisation,
            publish=values["publish"], **audience,
        )
        return _item_response(request, item.pk, status_code=status.HTTP_201_CREATED)


def _audience_resolve(
    request: Request, values: dict, *, current: dict[str, list] | None
) -> tuple[dict[str, list], dict[str, list[str]]]:
    """Ids in a request → objects. Ids the user may not see or name are errors ("unknown"). With
    `current` (a marking change): a list left out keeps the current one; communities hidden from the
    user stay; organisations already in the audience may stay."""
    current = current or {"communities": [], "communities_hidden": [], "organisations": [], "users": []}
    errors: dict[str, list[str]] = {}
    audience: dict[str, list] = {}
    if "communities" in values:
        found, unknown = selectors.communities_by_ids_for(user=request.user, ids=values["communities"])
        audience["communities"] = found + current["communities_hidden"]
        if unknown:
            errors["communities"] = [_unknown(unknown)]
    else:
        audience["communities"] = current["communities"] + current["communities_hidden"]
    if "organisations" in values:
        found, unknown = selectors.organisations_by_ids_for(
            user=request.user, ids=values["organisations"], also_allowed=[o.pk for o in current["organisations"]]
        )
        audience["organisations"] = found
        if unknown:
            errors["organisations"] = [_unknown(unknown)]
    else:
        audience["organisations"] = current["organisations"]
    if "users" in values:
        found, unknown = selectors.users_by_ids(ids=values["users"])
        audience["users"] = found
        if unknown:
            errors["users"] = [_unknown(unknown)]
    else:
        audience["users"] = current["users"]
    return audience, errors


@extend_schema(tags=ITEM_TAGS, summary=_("Eén item"), parameters=[ITEM_ID],
               responses={200: serializers.ItemSerializer, **PRIVATE_ERRORS})
class ItemDetailView(JSONOnly, generics.RetrieveAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = serializers.ItemSerializer

    def get_object(self):
        return selectors.item_get_for_api(user=self.request.user, item_id=self.kwargs["id"])


class ItemPublishView(JSONOnly, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(tags=ITEM_TAGS, summary=_("Een concept publiceren (alleen de auteur)"), parameters=[ITEM_ID],
                   request=None, responses={200: serializers.ItemSerializer, **PRIVATE_ERRORS})
    def post(self, request: Request, id: int) -> Response:
        item = visibility.item_get_visible(user=request.user, item_id=id)
        community_services.item_publish(actor=request.user, item=item)
        return _item_response(request, item.pk)


class ItemMarkingView(JSONOnly, APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=ITEM_TAGS, summary=_("TLP-label en ontvangers wijzigen"), parameters=[ITEM_ID],
        request=serializers.ItemMarkingSerializer,
        description=_("Een lijst die u weglaat blijft zoals hij is; een meegegeven lijst vervangt de huidige. "
                      "Alleen de auteur en coördinatoren van een ontvangende community mogen de ontvangers "
                      "uitbreiden of het label verlagen; een beheerder van de organisatie van de auteur mag "
                      "alleen beperken. Communities die u niet mag zien blijven ontvanger."),
        responses={200: serializers.ItemSerializer, **PRIVATE_ERRORS},
    )
    def patch(self, request: Request, id: int) -> Response:
        item = visibility.item_get_visible(user=request.user, item_id=id)
        data = serializers.ItemMarkingSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        current = selectors.item_audience_for_marking(user=request.user, item=item)
        audience, errors = _audience_resolve(request, values, current=current)
        tlp = values.get("tlp", item.tlp)
        loose_hidden = [c for c in current["communities_hidden"] if not c.counts_as_tlp_organisation]
        if tlp in (Tlp.AMBER, Tlp.AMBER_STRICT) and loose_hidden:
            # The service's message would name the community; the user may not know it.
            errors.setdefault("tlp", []).append(
                _("Dit label past niet bij een ontvangende community die u niet kunt zien.")
            )
        if errors:
            raise exceptions.ValidationError(errors)
        community_services.item_change_marking(actor=request.user, item=item, tlp=tlp, **audience)
        return _item_response(request, item.pk)


class ItemCommentListView(JSONOnly, generics.ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = serializers.CommentSerializer

    @extend_schema(tags=ITEM_TAGS, summary=_("Reacties op een item"), parameters=[ITEM_ID],
                   description=_("Oudste eerst. Wie het item mag zien, ziet de reacties."),
                   responses={200: serializers.CommentSerializer(many=True), **PRIVATE_ERRORS})
    def get(self, request: Request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.item_comments_for_api(user=self.request.user, item_id=self.kwargs["id"])

    @extend_schema(tags=ITEM_TAGS, summary=_("Reageren op een item"), parameters=[ITEM_ID],
                   request=serializers.CommentCreateSerializer,
                   responses={201: serializers.CommentSerializer, **PRIVATE_ERRORS})
    def post(self, request: Request, id: int) -> Response:
        item = visibility.item_get_visible(user=request.user, item_id=id)
        data = serializers.CommentCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = community_services.comment_create(
            actor=request.user, item=item, body_markdown=data.validated_data["body_markdown"]
        )
        return Response(serializers.CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


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
