"""Back office for organisations, accounts and the product catalogue; every change is audit-logged."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from dtc.core.admin import AuditedModelAdmin
from dtc.organisations.models import (
    Domain,
    Invitation,
    Membership,
    Municipality,
    Organisation,
    OrganisationProduct,
    Product,
    ProductAlias,
    User,
)
from dtc.organisations.services import product_search_text_refresh


class EmailUserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class EmailUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    form = EmailUserChangeForm
    add_form = EmailUserCreationForm
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["email", "name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Persoon"), {"fields": ("name", "language")}),
        (_("Rechten"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Data"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0
    readonly_fields = ["verified_at"]


class OrganisationProductInline(admin.TabularInline):
    model = OrganisationProduct
    extra = 0
    autocomplete_fields = ["product"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ["name", "kvk_number", "sector", "province", "size_class", "created_at"]
    list_filter = ["sector", "province", "size_class"]
    search_fields = ["name", "kvk_number", "domains__name"]
    autocomplete_fields = ["municipality"]
    inlines = [MembershipInline, DomainInline, OrganisationProductInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("municipality")


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(AuditedModelAdmin):
    list_display = ["email", "organisation", "role", "created_at", "accepted_at"]
    list_filter = ["role"]
    search_fields = ["email", "organisation__name"]
    readonly_fields = ["token", "created_at", "accepted_at"]
    autocomplete_fields = ["organisation", "invited_by"]
    list_select_related = ["organisation"]


@admin.register(Domain)
class DomainAdmin(AuditedModelAdmin):
    list_display = ["name", "organisation", "verified_at"]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    list_select_related = ["organisation"]


@admin.register(Municipality)
class MunicipalityAdmin(AuditedModelAdmin):
    list_display = ["name", "code", "province"]
    list_filter = ["province"]
    search_fields = ["name", "code"]


class ProductAliasInline(admin.TabularInline):
    model = ProductAlias
    extra = 1


@admin.register(Product)
class ProductAdmin(AuditedModelAdmin):
    list_display = ["vendor", "name", "category", "cpe_prefix", "purl_prefix"]
    list_filter = ["category"]
    search_fields = ["search_text", "vendor", "name", "cpe_prefix", "purl_prefix"]
    inlines = [ProductAliasInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The catalogue service keeps search_text in step with name and aliases.
        product_search_text_refresh(form.instance)
