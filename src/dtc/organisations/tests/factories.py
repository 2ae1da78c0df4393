"""Factories for the organisations app. Traits: UserFactory(verified=True), MembershipFactory(admin=True)."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

from dtc.organisations.models import Membership, Municipality, Organisation, Product, ProductAlias, User

PASSWORD = "Een-lang-testwachtwoord-1"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"persoon{n}@voorbeeld.nl")
    name = factory.Sequence(lambda n: f"Persoon {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    class Params:
        verified = factory.Trait(
            email_address=factory.RelatedFactory(
                "dtc.organisations.tests.factories.EmailAddressFactory", factory_related_name="user"
            )
        )

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class EmailAddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EmailAddress

    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda o: o.user.email)
    verified = True
    primary = True


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("code",)

    code = "GM0344"
    name = "Utrecht"
    province = "UT"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Bedrijf {n} B.V.")
    kvk_number = factory.Sequence(lambda n: f"{10000000 + n:08d}")
    sector = "G"
    size_class = "2-9"

    class Params:
        located = factory.Trait(municipality=factory.SubFactory(MunicipalityFactory), province="UT")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory, verified=True)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.OrgRole.MEMBER

    class Params:
        admin = factory.Trait(role=Membership.OrgRole.ADMIN)


class ProductFactory(factory.django.DjangoModelFactory):
    """A catalogue product; `aliases=[…]` adds aliases and fills search_text as the services do."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    vendor = factory.Sequence(lambda n: f"Leverancier {n}")
    name = factory.Sequence(lambda n: f"Product {n}")
    category = "Kantoorsoftware"

    @factory.post_generation
    def aliases(obj, create, extracted, **kwargs):  # noqa: N805
        from dtc.organisations.services import product_search_text_refresh

        if not create:
            return
        for alias in extracted or []:
            ProductAlias.objects.create(product=obj, alias=alias)
        product_search_text_refresh(obj)
