"""Factories for tailored alerts. Traits: AdvisoryFactory(amber=True), AdvisoryProductFactory(fixed=True),
MessageFactory(published=True, urgent=True).

Typical set-up: an advisory with a revision listing a catalogue product as affected in a range,
a published message, and organisations using that product:

    product = ProductFactory()
    revision = AdvisoryRevisionFactory()
    AdvisoryProductFactory(revision=revision, catalogue_product=product, vers="vers:generic/<2.0.0")
    message = MessageFactory(advisory=revision.advisory, published=True)
"""

from __future__ import annotations

import hashlib

import factory
from django.utils import timezone

from dtc.advisories.models import (
    Advisory,
    AdvisoryProduct,
    AdvisoryRevision,
    Alert,
    Message,
    ProductStatus,
    Tlp,
    Urgency,
)
from dtc.organisations.tests.factories import OrganisationFactory, ProductFactory


class AdvisoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Advisory

    publisher_namespace = "https://www.ncsc.nl/"
    publisher_name = "Nationaal Cyber Security Centrum"
    tracking_id = factory.Sequence(lambda n: f"NCSC-2025-{n + 1:04d}")
    title = factory.Sequence(lambda n: f"Kwetsbaarheid {n} verholpen in leveranciersproduct")
    tlp = Tlp.CLEAR

    class Params:
        amber = factory.Trait(tlp=Tlp.AMBER)


class AdvisoryRevisionFactory(factory.django.DjangoModelFactory):
    """A revision; also made the advisory's current revision."""

    class Meta:
        model = AdvisoryRevision
        skip_postgeneration_save = True

    advisory = factory.SubFactory(AdvisoryFactory)
    version = "1.00"
    release_date = factory.LazyFunction(timezone.now)
    document = factory.LazyAttribute(lambda o: {"document": {"tracking": {"id": o.advisory.tracking_id}}})
    sha256 = factory.Sequence(lambda n: hashlib.sha256(f"revision {n}".encode()).hexdigest())
    source = "test"
    significant = True
    changes = factory.LazyFunction(lambda: ["first"])

    @factory.post_generation
    def make_current(obj, create, extracted, **kwargs):  # noqa: N805
        if create and extracted is not False:
            Advisory.objects.filter(pk=obj.advisory_id).update(current_revision=obj)
            obj.advisory.current_revision = obj


class AdvisoryProductFactory(factory.django.DjangoModelFactory):
    """An affected product mapped to a catalogue product; `vers=""` means "range unknown"."""

    class Meta:
        model = AdvisoryProduct

    revision = factory.SubFactory(AdvisoryRevisionFactory)
    catalogue_product = factory.SubFactory(ProductFactory)
    csaf_product_id = factory.Sequence(lambda n: f"CSAFPID-{n:04d}")
    vendor = factory.LazyAttribute(
        lambda o: o.catalogue_product.vendor if o.catalogue_product else "Onbekend"
    )
    product_name = factory.LazyAttribute(
        lambda o: o.catalogue_product.name if o.catalogue_product else "Iets"
    )
    version_text = ""
    full_name = factory.LazyAttribute(lambda o: f"{o.vendor} {o.product_name} {o.version_text}".strip())
    status = ProductStatus.AFFECTED
    matched_by = "alias"
    vers = ""

    class Params:
        fixed = factory.Trait(status=ProductStatus.FIXED)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    advisory = factory.SubFactory(AdvisoryFactory)
    title = factory.LazyAttribute(lambda o: f"Update {o.advisory.tracking_id} nu")
    what = "Er zit een lek in de software waarmee een aanvaller uw systeem kan overnemen."
    who = "Iedereen die deze software gebruikt."
    steps = "Installeer de nieuwste update.\nControleer of automatisch bijwerken aan staat."
    links = "/kennisbank/updates-installeren/"
    urgency = Urgency.NORMAL
    status = Message.Status.DRAFT

    class Params:
        published = factory.Trait(
            status=Message.Status.PUBLISHED, published_at=factory.LazyFunction(timezone.now)
        )
        urgent = factory.Trait(urgency=Urgency.URGENT)


class AlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alert

    revision = factory.SubFactory(AdvisoryRevisionFactory)
    advisory = factory.LazyAttribute(lambda o: o.revision.advisory)
    organisation = factory.SubFactory(OrganisationFactory)
    created_at = factory.LazyFunction(timezone.now)
