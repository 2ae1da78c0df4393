"""Generated knowledge content for benchmarks: many ArticlePages, inserted fast.

`parent.add_child()` costs several queries and a tree lock per page (minutes for 10 000), so the
rows are written in bulk: wagtailcore_page rows with computed treebeard `path`/`depth`, the
ArticlePage rows with executemany, the principle links in bulk, then the search index through
Wagtail's index API in chunks. Text is Dutch-like, varied and deterministic (fixed seed).
Call inside a configured Django process.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

# Topics: each article has one; its keywords are what a visitor searches for.
TOPICS: dict[str, list[str]] = {
    "phishing": ["phishing", "nepmail", "afzender", "link", "bijlage", "oplichting"],
    "wachtwoord": ["wachtwoord", "wachtwoordmanager", "wachtzin", "inloggegevens", "hergebruik"],
    "tweestaps": ["tweestapsverificatie", "authenticator", "inlogcode", "sms-code", "sleutel"],
    "backup": ["back-up", "herstel", "kopie", "cloudopslag", "externe", "schijf"],
    "ransomware": ["ransomware", "gijzelsoftware", "losgeld", "versleuteling", "afpersing"],
    "updates": ["update", "beveiligingsupdate", "patch", "kwetsbaarheid", "leverancier"],
    "wifi": ["wifi", "router", "gastennetwerk", "netwerk", "versleuteld"],
    "laptop": ["laptop", "smartphone", "apparaat", "schermvergrendeling", "diefstal"],
    "webshop": ["webshop", "betaling", "klantgegevens", "fraude", "bestelling"],
    "privacy": ["privacy", "persoonsgegevens", "avg", "datalek", "melding"],
    "medewerkers": ["medewerkers", "bewustwording", "training", "afspraken", "toegang"],
    "incident": ["incident", "noodplan", "draaiboek", "politie", "aangifte"],
    "cloud": ["cloud", "clouddienst", "saas", "leveranciers", "contract"],
    "factuur": ["factuurfraude", "spookfactuur", "rekeningnummer", "bankgegevens", "betaalverzoek"],
    "ceo-fraude": ["ceo-fraude", "directeur", "spoed", "overboeking", "telefoon"],
    "website": ["website", "domeinnaam", "certificaat", "beheerder", "hosting"],
    "email": ["e-mail", "spf", "dkim", "dmarc", "mailserver"],
    "verzekering": ["cyberverzekering", "polis", "schade", "dekking", "verzekeraar"],
    "toegang": ["rechten", "beheerdersaccount", "toegangsbeheer", "accounts", "uitdienst"],
    "pinautomaat": ["pinautomaat", "kassasysteem", "betaalterminal", "skimming", "pinpas"],
}
# What the search benchmark asks for: topic keywords (each matches roughly 1/len(TOPICS) of articles).
SEARCH_WORDS = ["phishing", "wachtwoord", "ransomware", "back-up", "router", "datalek", "update", "webshop"]

FILLER = (
    "de het een en van in op voor met aan bij door naar over onder tussen als dan ook maar wel niet "
    "u uw uw ons onze wij zij deze dit die dat wat wie waar hoe wanneer altijd vaak soms nooit "
    "ondernemer ondernemers bedrijf bedrijven organisatie klant klanten gegevens informatie systeem "
    "systemen computer computers bestand bestanden programma software dienst diensten account "
    "veilig veiligheid risico risico's dreiging dreigingen aanval aanvallen aanvaller criminelen "
    "controleer kies gebruik zorg regel stel maak houd vraag meld bewaar verwijder installeer "
    "belangrijk eenvoudig snel direct regelmatig goed sterk zwak extra eigen nieuwe oude kleine "
    "grote digitale online zakelijke persoonlijke juiste verkeerde verdachte onbekende bekende "
    "stap stappen tip tips advies maatregel maatregelen afspraak controle overzicht plan lijst "
    "schade kosten tijd dag week maand jaar moment situatie voorbeeld manier reden gevolg "
    "kunnen moeten willen zullen hebben zijn worden blijven lijken komen gaan krijgen geven "
    "zien weten denken merken vinden helpen beginnen zoeken openen sluiten delen sturen "
    "mkb zzp'er winkel kantoor werkplek thuiswerken telefoon mail bericht website internet"
).split()
HEADINGS = [
    "Waarom is dit belangrijk?", "Wat kunt u doen?", "Zo herkent u het", "Wat als het misgaat?",
    "Praktische tips", "Afspraken met medewerkers", "Controleer het regelmatig", "Meer weten?",
]
TITLE_PATTERNS = [
    "Zo beschermt u uw bedrijf tegen {kw}",
    "{Kw}: vijf tips voor ondernemers",
    "Wat te doen bij {kw}?",
    "{Kw} herkennen in drie stappen",
    "Veilig ondernemen: {kw} in de praktijk",
    "Checklist {kw} voor het mkb",
    "Hoe regelt u {kw} goed?",
    "Veelgemaakte fouten bij {kw}",
]


class TextGenerator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.topics = list(TOPICS)

    def sentence(self, keywords: list[str], min_words: int = 8, max_words: int = 18) -> str:
        rng = self.rng
        words = [rng.choice(FILLER) for _ in range(rng.randint(min_words, max_words))]
        for _ in range(rng.randint(1, 2)):
            words.insert(rng.randrange(len(words) + 1), rng.choice(keywords))
        text = " ".join(words)
        return text[0].upper() + text[1:] + rng.choice(".....?!")[0]

    def paragraph(self, keywords: list[str], sentences: tuple[int, int] = (3, 6)) -> str:
        return " ".join(self.sentence(keywords) for _ in range(self.rng.randint(*sentences)))

    def article(self, number: int) -> dict[str, object]:
        rng = self.rng
        topic = self.topics[number % len(self.topics)]
        keywords = TOPICS[topic]
        keyword = rng.choice(keywords)
        title = rng.choice(TITLE_PATTERNS).format(kw=keyword, Kw=keyword[0].upper() + keyword[1:])
        parts = []
        for heading in rng.sample(HEADINGS, rng.randint(2, 4)):
            parts.append(f"<h2>{heading}</h2>")
            parts.extend(f"<p>{self.paragraph(keywords)}</p>" for _ in range(rng.randint(1, 3)))
            if rng.random() < 0.4:
                items = "".join(f"<li>{self.sentence(keywords, 4, 9)}</li>" for _ in range(rng.randint(3, 5)))
                parts.append(f"<ul>{items}</ul>")
        return {
            "title": f"{title} ({number})",
            "slug": f"{keyword.replace(chr(39), '')}-{number}",
            "intro": self.paragraph(keywords, (2, 3)),
            "body": "".join(parts),
            "reading_minutes": rng.randint(2, 8),
        }


def _category_parents():
    from dtc.knowledge.models import CategoryPage

    parents = list(CategoryPage.objects.order_by("path"))
    if not parents:
        raise RuntimeError("no CategoryPage to put articles under: load the demo content first")
    return parents


def generate_articles(count: int, *, seed: int = 20260101, start_number: int = 0) -> list[int]:
    """Create `count` live ArticlePages spread over the category pages; returns their ids."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection, transaction
    from django.db.models import F
    from wagtail.models import Page

    from dtc.knowledge.models import ArticlePage, PrinciplePage

    if count <= 0:
        return []
    text = TextGenerator(seed + start_number)
    parents = _category_parents()
    principle_ids = list(PrinciplePage.objects.order_by("number").values_list("id", flat=True))
    content_type = ContentType.objects.get_for_model(ArticlePage)
    base_time = datetime(2026, 1, 1, 12, tzinfo=UTC)
    steplen = Page.steplen

    with transaction.atomic():
        next_step = {}
        for parent in parents:
            last = (
                Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
                .order_by("-path")
                .values_list("path", flat=True)
                .first()
            )
            next_step[parent.pk] = (Page._str2int(last[-steplen:]) + 1) if last else 1

        pages, details, added = [], [], dict.fromkeys(next_step, 0)
        for offset in range(count):
            number = start_number + offset + 1
            parent = parents[number % len(parents)]
            data = text.article(number)
            step = next_step[parent.pk]
            next_step[parent.pk] += 1
            added[parent.pk] += 1
            published = base_time - timedelta(minutes=97 * number)
            pages.append(
                Page(
                    title=data["title"],
                    draft_title=data["title"],
                    slug=data["slug"],
                    path=Page._get_path(parent.path, parent.depth + 1, step),
                    depth=parent.depth + 1,
                    numchild=0,
                    url_path=f"{parent.url_path}{data['slug']}/",
                    content_type=content_type,
                    locale_id=parent.locale_id,
                    translation_key=uuid.UUID(int=text.rng.getrandbits(128)),
                    live=True,
                    has_unpublished_changes=False,
                    first_published_at=published,
                    last_published_at=published,
                    owner=None,
                )
            )
            details.append(data)
        Page.objects.bulk_create(pages, batch_size=1000)

        fields = list(ArticlePage._meta.local_concrete_fields)
        columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
        placeholders = ", ".join(["%s"] * len(fields))
        rows = []
        for page, data in zip(pages, details, strict=True):
            values = {"page_ptr_id": page.pk, **{k: data[k] for k in ("intro", "body", "reading_minutes")}}
            rows.append([field.get_db_prep_save(values[field.attname], connection) for field in fields])
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {connection.ops.quote_name(ArticlePage._meta.db_table)} ({columns}) "  # noqa: S608
                f"VALUES ({placeholders})",
                rows,
            )

        if principle_ids:
            through = ArticlePage.principles.through
            links = []
            for page in pages:
                for principle_id in text.rng.sample(principle_ids, text.rng.randint(0, 2)):
                    links.append(through(articlepage_id=page.pk, principlepage_id=principle_id))
            through.objects.bulk_create(links, batch_size=2000)

        for parent_pk, number in added.items():
            if number:
                Page.objects.filter(pk=parent_pk).update(numchild=F("numchild") + number)
    return [page.pk for page in pages]


def index_articles(ids: list[int], *, chunk: int = 500) -> None:
    """Add the articles to the search index (Wagtail's index API, as `update_index` does)."""
    from wagtail.search.backends import get_search_backend

    from dtc.knowledge.models import ArticlePage

    backend = get_search_backend()
    for start in range(0, len(ids), chunk):
        objects = list(ArticlePage.objects.filter(pk__in=ids[start : start + chunk]))
        backend.add_bulk(ArticlePage, objects)
