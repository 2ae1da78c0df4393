"""The result as people read it: one `Report` that the page, the PDF, the CSV, the calendar file and
the e-mail to the IT supplier all render, so they always say the same thing."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dtc.assessment import scoring, selectors
from dtc.assessment.models import RUNG_LABELS, Option, Question, Result
from dtc.core.visibility import pages_visible
from dtc.knowledge.models import ArticlePage, PrinciplePage

# The five basic principles of the seed ("vijf basisprincipes van veilig digitaal ondernemen").
PRINCIPLE_TITLES = {
    1: gettext_lazy("Inventariseer je risico's en maak back-ups"),
    2: gettext_lazy("Kies veilige instellingen"),
    3: gettext_lazy("Voer updates uit"),
    4: gettext_lazy("Beperk toegang"),
    5: gettext_lazy("Voorkom virussen en andere malware"),
}
REASON_LABELS = {
    "key": gettext_lazy("Sleutelmaatregel: houdt dit basisprincipe tegen"),
    "weakest": gettext_lazy("In je zwakste basisprincipe"),
    "quick": gettext_lazy("Snel en gratis geregeld"),
    "other": gettext_lazy("Volgende stap"),
}


@dataclass(frozen=True)
class PrincipleLine:
    number: int
    title: str
    rung: int | None
    rung_label: str
    url: str
    peer_average: float | None = None


@dataclass(frozen=True)
class ActionLine:
    number: int  # 1-based position in the ordered list
    question_key: str
    principle: int
    principle_title: str
    question: str
    answer: str
    step: str
    effort: str
    effort_label: str
    cost: str
    cost_label: str
    who: str
    who_label: str
    for_supplier: bool
    is_key: bool
    is_unknown: bool
    can_tick: bool
    reason: str
    reason_label: str
    article_title: str
    article_url: str


@dataclass(frozen=True)
class Report:
    result: Result
    version: str
    overall_rung: int | None
    overall_label: str
    progress: int
    principles: list[PrincipleLine]
    actions: list[ActionLine]
    answered: int
    applicable: int
    peers: selectors.PeerGroup | None = None

    @property
    def top_three(self) -> list[ActionLine]:
        return self.actions[:3]

    @property
    def supplier_actions(self) -> list[ActionLine]:
        return [action for action in self.actions if action.for_supplier]

    @property
    def rungs(self) -> list[tuple[int, str]]:
        return [(rung, str(label)) for rung, label in RUNG_LABELS.items()]


def who_label(who: str, *, it_by: str) -> tuple[str, bool]:
    """Who carries out an action, in the words of this business, and whether its IT supplier is meant."""
    if who == Option.Who.SUPPLIER:
        if it_by == "supplier":
            return _("je IT-leverancier"), True
        return _("een IT-leverancier (of jij, met hulp)"), True
    if who == Option.Who.BOTH:
        if it_by == "supplier":
            return _("jij samen met je IT-leverancier"), True
        return _("jij (of een IT-leverancier)"), False
    return _("jij"), False


def _articles(slugs: set[str]) -> dict[str, ArticlePage]:
    if not slugs:
        return {}
    return {page.slug: page for page in pages_visible(ArticlePage.objects.filter(slug__in=slugs))}


def _principle_urls() -> dict[int, str]:
    return {page.number: page.url or "" for page in pages_visible(PrinciplePage.objects.all())}


def result_report(*, result: Result) -> Report:
    question_set = selectors.questionset_with_questions(question_set_id=result.question_set_id)
    questions: dict[str, Question] = {q.key: q for q in selectors.scored_questions(question_set)}
    specs = selectors.questionset_specs(question_set)
    outcome = scoring.score(specs, result.context, result.answers)
    articles = _articles({q.article_slug for q in questions.values() if q.article_slug})
    principle_urls = _principle_urls()
    it_by = result.context.get("it_by", "")
    peers = None
    if result.peer_opt_in and result.sector and result.size_class:
        peers = selectors.peer_group(sector=result.sector, size_class=result.size_class)

    principles = [
        PrincipleLine(
            number=number,
            title=str(PRINCIPLE_TITLES.get(number, number)),
            rung=rung,
            rung_label=str(RUNG_LABELS[rung]) if rung is not None else _("niet van toepassing"),
            url=principle_urls.get(number, ""),
            peer_average=peers.principle_average.get(number) if peers and peers.shown else None,
        )
        for number, rung in sorted(outcome.principle_rungs.items())
    ]
    actions: list[ActionLine] = []
    for position, action in enumerate(outcome.actions, start=1):
        question = questions[action.question_key]
        options = {option.key: option for option in question.options.all()}
        if action.is_unknown:
            answer_text = _("Weet ik niet")
            step = question.display_unknown_step or _("Zoek uit hoe dit bij jullie geregeld is.")
        else:
            answer_text = options[action.answer].display_text
            step = options[action.answer].display_step
        who_text, for_supplier = who_label(action.who, it_by=it_by)
        article = articles.get(question.article_slug)
        actions.append(ActionLine(
            number=position,
            question_key=action.question_key,
            principle=action.principle,
            principle_title=str(PRINCIPLE_TITLES.get(action.principle, action.principle)),
            question=question.display_text,
            answer=answer_text,
            step=step,
            effort=action.effort,
            effort_label=str(Option.Effort(action.effort).label) if action.effort in Option.Effort.values else "",
            cost=action.cost,
            cost_label=str(Option.Cost(action.cost).label) if action.cost in Option.Cost.values else "",
            who=action.who,
            who_label=who_text,
            for_supplier=for_supplier,
            is_key=action.is_key,
            is_unknown=action.is_unknown,
            can_tick=action.next_answer is not None,
            reason=action.reason,
            reason_label=str(REASON_LABELS[action.reason]),
            article_title=article.title if article else "",
            article_url=article.url if article else "",
        ))
    shown = set(outcome.applicable)
    answered = sum(1 for key in shown if result.answers.get(key))
    return Report(
        result=result,
        version=question_set.version,
        overall_rung=outcome.overall_rung,
        overall_label=str(RUNG_LABELS[outcome.overall_rung]) if outcome.overall_rung is not None else "",
        progress=outcome.progress,
        principles=principles,
        actions=actions,
        answered=answered,
        applicable=len(shown),
        peers=peers,
    )
