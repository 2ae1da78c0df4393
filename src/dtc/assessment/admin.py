"""Back office for the self-assessment: editors change the question set here.

A question set is edited only while it is a draft. Once published (or retired) it is read-only, with
its questions and answers, because results point at the set they were scored with; to change questions,
an editor copies it to a new draft ("Kopiëren naar nieuwe conceptversie") and publishes that, which goes
through `services.questionset_publish` and its checks. The status is never edited by hand.

Results are deliberately not registered: an organisation's answers list its weak spots, and nobody in
the back office needs them one by one; editors see how many results each set has in the set list, and
aggregates come from the selectors (peer groups of at least DTC_ASSESSMENT_MIN_PEERS).

Every change is audit-logged: the models through AuditedModelAdmin, the questions and answers edited in
inlines through `save_formset` below.
"""

from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dtc.assessment import services
from dtc.assessment.models import Option, Question, QuestionSet, ReferenceFigure, Result
from dtc.core.admin import AuditedModelAdmin
from dtc.core.audit import audit_log_record, audit_snapshot
from dtc.organisations.models import User

# Publishing and copying are offered in the list and on a set's own page (also when it is read-only).
BOTH_PLACES = [ActionLocation.CHANGE_LIST, ActionLocation.CHANGE_FORM]
SHORT_TEXT: dict[type[models.Field], dict[str, Any]] = {models.TextField: {"widget": forms.Textarea(attrs={"rows": 2, "cols": 40})}}


def _is_draft(question_set: QuestionSet | None) -> bool:
    """Whether a set (None: not chosen yet, as on an add page) may still be changed."""
    return question_set is None or question_set.status == QuestionSet.Status.DRAFT


def _count_of(model: type[models.Model], field: str) -> Coalesce:
    """A subquery count per set; two subqueries instead of two joins, which would multiply the rows."""
    rows = (
        model._default_manager.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def draft_version_for(source: QuestionSet) -> str:
    """The first free "<version>-concept-<n>", without piling up suffixes, within the field's length."""
    base = re.sub(r"-concept-\d+$", "", source.version)
    max_length = QuestionSet._meta.get_field("version").max_length or 20
    n = 1
    while True:
        suffix = f"-concept-{n}"
        candidate = base[: max_length - len(suffix)] + suffix
        if not QuestionSet.objects.filter(version=candidate).exists():
            return candidate
        n += 1


class AuditedInlinesAdmin(AuditedModelAdmin):
    """Also audit-log each object added, changed or deleted through an inline."""

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        model = formset.model
        changed_pks = [f.instance.pk for f in formset.initial_forms if f.instance.pk and f.has_changed()]
        before = {obj.pk: audit_snapshot(obj) for obj in model.objects.filter(pk__in=changed_pks)}
        for deleted in formset.deleted_forms:
            if deleted.instance.pk:
                audit_log_record(actor=request.user, action="admin.delete", target=deleted.instance,
                                 before=before.get(deleted.instance.pk) or audit_snapshot(deleted.instance))
        super().save_formset(request, form, formset, change)
        for obj in formset.new_objects:
            audit_log_record(actor=request.user, action="admin.add", target=obj, after=audit_snapshot(obj))
        for obj, _fields in formset.changed_objects:
            audit_log_record(actor=request.user, action="admin.change", target=obj,
                             before=before.get(obj.pk), after=audit_snapshot(obj))


# --- Question sets -------------------------------------------------------------------------------
# The inlines need no rules of their own: Django shows the inlines of a page the user may not change
# read-only and without add or delete (ModelAdmin.get_inline_formsets, `can_edit_parent`).


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["key", "kind", "principle", "order", "text", "is_key"]
    extra = 0
    show_change_link = True
    formfield_overrides = SHORT_TEXT


@admin.register(QuestionSet)
class QuestionSetAdmin(AuditedInlinesAdmin):
    list_display = ["version", "title", "status", "published_at", "question_count", "result_count"]
    list_filter = ["status"]
    search_fields = ["version", "title"]
    fields = ["version", "title", "title_en", "status", "published_at", "created_at"]
    # The status changes only through publishing (which checks the set) and copying.
    readonly_fields = ["status", "published_at", "created_at"]
    inlines = [QuestionInline]
    actions = ["publish", "copy_to_draft"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[QuestionSet]:
        return super().get_queryset(request).annotate(
            question_count=_count_of(Question, "question_set"),
            result_count=_count_of(Result, "question_set"),
        )

    @admin.display(description=_("vragen"), ordering="question_count")
    def question_count(self, obj: QuestionSet) -> int:
        return obj.question_count  # type: ignore[attr-defined]

    @admin.display(description=_("uitslagen"), ordering="result_count")
    def result_count(self, obj: QuestionSet) -> int:
        return obj.result_count  # type: ignore[attr-defined]

    def has_change_permission(self, request: HttpRequest, obj: QuestionSet | None = None) -> bool:
        return super().has_change_permission(request, obj) and _is_draft(obj)

    def has_delete_permission(self, request: HttpRequest, obj: QuestionSet | None = None) -> bool:
        return super().has_delete_permission(request, obj) and _is_draft(obj)

    def get_actions(
        self, request: HttpRequest, action_location: ActionLocation = ActionLocation.CHANGE_LIST
    ) -> dict[str, Any]:
        # Bulk delete asks only for the model permission, not per set: a published set could go.
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Publiceren"), permissions=["change"], location=BOTH_PLACES)
    def publish(self, request: HttpRequest, queryset: QuerySet[QuestionSet]) -> None:
        sets = list(queryset)
        if len(sets) != 1:
            # Publishing retires the set in use; two at once would retire one another.
            self.message_user(request, gettext("Kies precies één vragenlijst om te publiceren."), messages.ERROR)
            return
        question_set = sets[0]
        if not _is_draft(question_set):
            self.message_user(
                request,
                gettext("Vragenlijst %(version)s is geen concept en kan niet opnieuw worden gepubliceerd.")
                % {"version": question_set.version},
                messages.ERROR,
            )
            return
        try:
            services.questionset_publish(question_set=question_set, acting_user=cast(User, request.user))
        except ValidationError as error:
            self.message_user(
                request,
                gettext("Vragenlijst %(version)s is niet gepubliceerd:") % {"version": question_set.version},
                messages.ERROR,
            )
            for problem in error.messages:
                self.message_user(request, problem, messages.ERROR)
            return
        self.message_user(
            request,
            gettext("Vragenlijst %(version)s is gepubliceerd; de vorige versie is vervangen.")
            % {"version": question_set.version},
            messages.SUCCESS,
        )

    @admin.action(description=_("Kopiëren naar nieuwe conceptversie"), permissions=["add"], location=BOTH_PLACES)
    def copy_to_draft(self, request: HttpRequest, queryset: QuerySet[QuestionSet]) -> HttpResponse | None:
        copies = [
            services.questionset_copy(question_set=source, version=draft_version_for(source),
                                      acting_user=cast(User, request.user))
            for source in queryset.order_by("pk")
        ]
        for copy in copies:
            self.message_user(
                request,
                gettext("Conceptversie %(version)s is gemaakt. Pas de vragen aan en publiceer daarna.")
                % {"version": copy.version},
                messages.SUCCESS,
            )
        if len(copies) == 1:
            return HttpResponseRedirect(reverse("admin:assessment_questionset_change", args=[copies[0].pk]))
        return None


# --- Questions and their answers -----------------------------------------------------------------


class OptionInline(admin.TabularInline):
    model = Option
    fields = ["key", "order", "text", "text_en", "rung", "step", "step_en", "effort", "cost", "who"]
    extra = 0
    formfield_overrides = SHORT_TEXT


@admin.register(Question)
class QuestionAdmin(AuditedInlinesAdmin):
    list_display = ["key", "question_set", "kind", "principle", "order", "is_key"]
    list_filter = ["question_set", "principle", "kind"]
    list_select_related = ["question_set"]
    search_fields = ["key", "text"]
    inlines = [OptionInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Question | None = None) -> list[str]:
        # A question stays in its set; a copy is made by copying the set.
        return ["question_set"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "question_set":
            kwargs["queryset"] = QuestionSet.objects.filter(status=QuestionSet.Status.DRAFT)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request: HttpRequest, obj: Question | None = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or _is_draft(obj.question_set))

    def has_delete_permission(self, request: HttpRequest, obj: Question | None = None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or _is_draft(obj.question_set))

    def get_actions(
        self, request: HttpRequest, action_location: ActionLocation = ActionLocation.CHANGE_LIST
    ) -> dict[str, Any]:
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions


# --- Reference figures ---------------------------------------------------------------------------


@admin.register(ReferenceFigure)
class ReferenceFigureAdmin(AuditedModelAdmin):
    list_display = ["label", "value_percent", "population", "year", "source", "order"]
    list_filter = ["year"]
    search_fields = ["label", "source", "measure"]
    fields = [
        "label", "label_en", "value_percent", "population", "population_en", "size_class", "year",
        "source", "url", "measure", "order",
    ]
