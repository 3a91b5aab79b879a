"""Django admin for the people app, and for the API event log.

Studio managers (``role == "admin"``) sign in to ``/admin/`` with their
Kitsu account. Password hashes, OTP secrets, recovery codes and token ids
never appear here and cannot be used in URL lookups either; passwords are
changed through Django's admin password form. The event log is registered
here because the API plumbing has no admin module of its own.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.utils.html import format_html

from kitsu_backend.api import events
from kitsu_backend.api.models import ApiEvent
from people import services
from people.models import (
    AppLoginCode,
    DayOff,
    Department,
    DesktopLoginLog,
    HardwareItem,
    HardwareItemDepartmentLink,
    LoginLog,
    Organisation,
    Person,
    RevokedToken,
    SalaryScale,
    Software,
    SoftwareDepartmentLink,
    Studio,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Logs: browsable, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _check_unique_email(form, email):
    """A non-bot e-mail is unique whatever its case, as the API enforces."""
    is_bot = form.cleaned_data.get("is_bot", form.instance.is_bot)
    if email and not is_bot:
        taken = (
            Person.objects.filter(is_bot=False, email__iexact=email)
            .exclude(pk=form.instance.pk)
            .exists()
        )
        if taken:
            raise forms.ValidationError("A person with this e-mail address already exists.")
    return email


class PersonCreationForm(AdminUserCreationForm):
    class Meta:
        model = Person
        fields = ("email", "first_name", "last_name", "role")

    def clean_email(self):
        return _check_unique_email(self, self.cleaned_data.get("email"))


class PersonChangeForm(forms.ModelForm):
    class Meta:
        model = Person
        # Every editable column but the secrets; the admin narrows it to its fieldsets.
        fields = tuple(
            field.name
            for field in Person._meta.get_fields()
            if getattr(field, "editable", False)
            and field.concrete
            and field.name not in Person.SECRET_FIELDS
        )

    def clean_email(self):
        return _check_unique_email(self, self.cleaned_data.get("email"))


@admin.register(Person)
class PersonAdmin(UserAdmin):
    form = PersonChangeForm
    add_form = PersonCreationForm
    list_display = ("full_name", "email", "role", "active", "is_bot", "studio")
    list_display_links = ("full_name", "email")
    list_filter = ("role", "active", "is_bot", "studio", "departments")
    list_select_related = ("studio",)
    search_fields = ("first_name", "last_name", "email", "desktop_login")
    ordering = ("last_name", "first_name")
    filter_horizontal = ("departments",)
    readonly_fields = (
        "password_link",
        "has_avatar",
        "last_presence",
        "last_login",
        "login_failed_attemps",
        "last_login_failed",
        "tokens_revoked_at",
        "totp_enabled",
        "email_otp_enabled",
        "fido_enabled",
        "preferred_two_factor_authentication",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("email", "password_link", "desktop_login")}),
        ("Identity", {"fields": ("first_name", "last_name", "phone", "country")}),
        (
            "Role and organisation",
            {"fields": ("role", "active", "archived", "studio", "departments")},
        ),
        (
            "Contract",
            {"fields": ("contract_type", "position", "seniority", "daily_salary")},
        ),
        (
            "Preferences",
            {
                "classes": ("collapse",),
                "fields": (
                    "timezone",
                    "locale",
                    "use_12_hour_clock",
                    "display_date_format",
                    "notifications_enabled",
                    "notifications_slack_enabled",
                    "notifications_slack_userid",
                    "notifications_mattermost_enabled",
                    "notifications_mattermost_userid",
                    "notifications_discord_enabled",
                    "notifications_discord_userid",
                ),
            },
        ),
        (
            "Bots, guests and preview accounts",
            {
                "classes": ("collapse",),
                "fields": (
                    "is_bot",
                    "expiration_date",
                    "is_guest",
                    "preview_project_id",
                    "preview_opened_at",
                    "preview_open_until",
                ),
            },
        ),
        (
            "Security",
            {
                "fields": (
                    "totp_enabled",
                    "email_otp_enabled",
                    "fido_enabled",
                    "preferred_two_factor_authentication",
                    "last_login",
                    "login_failed_attemps",
                    "last_login_failed",
                    "tokens_revoked_at",
                )
            },
        ),
        (
            "Other",
            {
                "classes": ("collapse",),
                "fields": (
                    "has_avatar",
                    "last_presence",
                    "shotgun_id",
                    "is_generated_from_ldap",
                    "ldap_uid",
                    "data",
                    "created_at",
                    "updated_at",
                ),
            },
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "first_name",
                    "last_name",
                    "role",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )

    @admin.display(description="Full name", ordering="last_name")
    def full_name(self, obj):
        return obj.full_name

    @admin.display(description="Password")
    def password_link(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        state = "set" if obj.has_usable_password() else "not set"
        # Relative to the change page, like Django's own user admin.
        return format_html('Password {}. <a href="../password/">Change the password</a>.', state)

    def lookup_allowed(self, lookup, value, request=None):
        # A lookup such as ?totp_secret__startswith=A would reveal a secret bit by bit.
        field = lookup.split("__", 1)[0]
        if field in Person.SECRET_FIELDS:
            return False
        return super().lookup_allowed(lookup, value, request)

    def save_model(self, request, obj, form, change):
        if change and "active" in form.changed_data and not obj.active:
            services.mark_tokens_revoked(obj)
        super().save_model(request, obj, form, change)
        services.emit_person_event("update" if change else "new", obj)

    def delete_model(self, request, obj):
        services.emit_person_event("delete", obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for person in queryset:
            services.emit_person_event("delete", person)
        super().delete_queryset(request, queryset)


@admin.register(Department, Studio)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("name", "color", "archived")
    list_filter = ("archived",)
    search_fields = ("name",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "hours_by_day", "timesheets_locked", "dark_theme_by_default")
    search_fields = ("name",)


class DayOffForm(forms.ModelForm):
    class Meta:
        model = DayOff
        fields = ("person", "date", "end_date", "description")

    def clean(self):
        cleaned = super().clean()
        candidate = DayOff(
            pk=self.instance.pk,
            person=cleaned.get("person"),
            date=cleaned.get("date"),
            end_date=cleaned.get("end_date"),
        )
        try:
            services.check_day_off(candidate)
        except services.PeopleError as error:
            raise forms.ValidationError(str(error)) from None
        return cleaned


@admin.register(DayOff)
class DayOffAdmin(admin.ModelAdmin):
    form = DayOffForm
    list_display = ("person", "date", "end_date", "description")
    list_select_related = ("person",)
    raw_id_fields = ("person",)
    date_hierarchy = "date"
    search_fields = ("person__first_name", "person__last_name", "description")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        events.emit(f"day-off:{'update' if change else 'new'}", {"day_off_id": obj.pk})


@admin.register(SalaryScale)
class SalaryScaleAdmin(admin.ModelAdmin):
    list_display = ("department", "position", "seniority", "salary")
    list_filter = ("department", "position", "seniority")
    list_select_related = ("department",)


@admin.register(HardwareItem, Software)
class ItemAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "monthly_cost", "inventory_amount", "archived")
    list_filter = ("archived",)
    search_fields = ("name", "short_name")


@admin.register(HardwareItemDepartmentLink)
class HardwareItemDepartmentLinkAdmin(admin.ModelAdmin):
    list_display = ("department", "hardware_item")
    list_filter = ("department",)
    list_select_related = ("department", "hardware_item")


@admin.register(SoftwareDepartmentLink)
class SoftwareDepartmentLinkAdmin(admin.ModelAdmin):
    list_display = ("department", "software")
    list_filter = ("department",)
    list_select_related = ("department", "software")


@admin.register(DesktopLoginLog)
class DesktopLoginLogAdmin(ReadOnlyAdmin):
    list_display = ("person", "date")
    list_select_related = ("person",)
    raw_id_fields = ("person",)
    date_hierarchy = "date"
    search_fields = ("person__first_name", "person__last_name", "person__email")


@admin.register(LoginLog)
class LoginLogAdmin(ReadOnlyAdmin):
    list_display = ("person", "created_at", "origin", "ip_address")
    list_filter = ("origin",)
    list_select_related = ("person",)
    raw_id_fields = ("person",)
    date_hierarchy = "created_at"
    search_fields = ("person__first_name", "person__last_name", "person__email", "ip_address")


@admin.register(RevokedToken)
class RevokedTokenAdmin(ReadOnlyAdmin):
    list_display = ("jti", "expires_at")
    search_fields = ("jti",)


@admin.register(AppLoginCode)
class AppLoginCodeAdmin(ReadOnlyAdmin):
    # The primary key is the hash of a live one-time code: rows are listed, not linked.
    list_display = ("person", "expires_at")
    list_display_links = None
    list_select_related = ("person",)


@admin.register(ApiEvent)
class ApiEventAdmin(ReadOnlyAdmin):
    list_display = ("name", "created_at", "user", "project_id")
    list_filter = ("name",)
    list_select_related = ("user",)
    search_fields = ("name",)
    date_hierarchy = "created_at"
