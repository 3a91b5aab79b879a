"""The /data/<model> resources of the people app.

Persons, organisations and day offs open the generic admin-only rules up:
everyone lists people (in the form their role entitles them to), reads the
organisation and manages their own day offs.
"""

from contextlib import contextmanager

from django.db.models import Value
from django.db.models.functions import Concat, Trim

from kitsu_backend.api.crud import RESERVED_PARAMETERS, CrudResource, register
from kitsu_backend.api.exceptions import CrudError, WrongParameter
from kitsu_backend.api.permissions import (
    is_admin,
    is_client,
    require,
    require_admin,
    require_self_or_admin,
)
from kitsu_backend.api.serialization import serialize_rows
from people import services
from people.models import (
    DayOff,
    Department,
    HardwareItem,
    Organisation,
    Person,
    SalaryScale,
    Software,
    Studio,
)
from people.presentation import (
    CLIENT_KEYS,
    present_client_people,
    present_minimal,
    present_minimal_people,
    present_organisation,
    present_people,
    present_person,
)
from people.visibility import project_mate_ids

# Keys Kitsu sends back with a person it read earlier; they are not columns.
COMPUTED_PERSON_KEYS = ("full_name", "fido_devices", "access_token")
# Columns non-admins may filter people on: those of the reduced form they are
# shown, plus the e-mail so that a script can find its own account. Filtering
# on anything else (salary, phone, contract…) would reveal it one guess at a time.
PUBLIC_PERSON_FILTERS = frozenset(
    {
        "id",
        "first_name",
        "last_name",
        "email",
        "has_avatar",
        "active",
        "studio",
        "studio_id",
        "role",
        "desktop_login",
        "is_bot",
        "departments",
    }
)


@contextmanager
def crud_errors():
    """Report a refused change with the generic CRUD's 400 body."""
    try:
        yield
    except services.PeopleError as error:
        raise CrudError(str(error)) from None


class ReadableByAll(CrudResource):
    """Studio-wide settings every logged-in person reads and admins write."""

    def check_list(self, request):
        pass

    def check_read(self, request, instance):
        pass


@register
class DepartmentResource(ReadableByAll):
    model = Department
    slug = "departments"


@register
class StudioResource(ReadableByAll):
    model = Studio
    slug = "studios"


@register
class SoftwareResource(ReadableByAll):
    model = Software
    slug = "softwares"


@register
class HardwareItemResource(CrudResource):
    model = HardwareItem
    slug = "hardware-items"


@register
class SalaryScaleResource(CrudResource):
    model = SalaryScale
    slug = "salary-scales"


@register
class OrganisationResource(ReadableByAll):
    """The single organisation row; its chat tokens are shown to admins only."""

    model = Organisation
    slug = "organisations"

    def hidden_for(self, viewer):
        return frozenset() if is_admin(viewer) else frozenset(Organisation.SECRET_FIELDS)

    def scope_queryset(self, request, queryset):
        # Zou always lists the organisation, creating it with defaults on first use.
        Organisation.get()
        return queryset

    def filter_queryset(self, request, queryset):
        hidden = self.hidden_for(request.user)
        for key in request.query_params:
            if key in hidden:
                raise WrongParameter(f"Filtering on {key} is not allowed.")
        return super().filter_queryset(request, queryset)

    def serialize_queryset(self, request, queryset, relations=False):
        return serialize_rows(Organisation, queryset, relations, self.hidden_for(request.user))

    def serialize(self, request, instance):
        return present_organisation(instance, viewer=request.user)


def client_visible_ids(client):
    """People a client may see: the teams of their productions, and themself."""
    return project_mate_ids(client) | {client.pk}


@register
class PersonResource(CrudResource):
    """People of the studio.

    Admins get full rows; a person reading themself too. Other roles get the
    reduced form, and clients only the people of their productions' teams.
    Admins create, change and delete people; a person may change only their
    own preferences (names, phone, locale, notification settings…).
    """

    model = Person
    slug = "persons"
    hidden_fields = Person.SECRET_FIELDS
    ordering = ("last_name", "first_name")

    # --- permissions ---
    def check_list(self, request):
        pass

    def scope_queryset(self, request, queryset):
        if is_client(request.user):
            return queryset.filter(pk__in=client_visible_ids(request.user))
        return queryset

    def check_read(self, request, instance):
        if is_client(request.user):
            require(instance.pk in client_visible_ids(request.user))

    def check_update(self, request, instance, values):
        viewer = request.user
        if is_admin(viewer):
            return
        require_self_or_admin(viewer, instance.pk)
        require(not services.forbidden_self_changes(instance, values))

    def check_delete(self, request, instance):
        require_admin(request.user)
        # Zou refuses self-deletion: it could remove the studio's last admin.
        require(request.user.pk != instance.pk)

    # --- reading ---
    def filter_queryset(self, request, queryset):
        if not is_admin(request.user):
            for key in request.query_params:
                if key in RESERVED_PARAMETERS or key in PUBLIC_PERSON_FILTERS:
                    continue
                if self.field_for(key) is not None or self.m2m_for(key) is not None:
                    raise WrongParameter(f"Filtering on {key} is not allowed.")
        full_name = request.query_params.get("full_name")
        if full_name:
            # Gazu's get_person_by_full_name filters on this computed name.
            queryset = queryset.annotate(
                _full_name=Trim(Concat("first_name", Value(" "), "last_name"))
            ).filter(_full_name__iexact=full_name.strip())
        return super().filter_queryset(request, queryset)

    def serialize_queryset(self, request, queryset, relations=False):
        viewer = request.user
        if is_admin(viewer):
            return present_people(queryset, relations=relations)
        if is_client(viewer):
            return present_client_people(queryset)
        return present_minimal_people(queryset)

    def serialize(self, request, instance):
        viewer = request.user
        if is_admin(viewer) or viewer.pk == instance.pk:
            row = present_person(instance, relations=True)
        elif is_client(viewer):
            full = present_person(instance, relations=False)
            row = {key: full[key] for key in CLIENT_KEYS if key in full}
        else:
            row = present_minimal(instance)
        token = getattr(instance, "bot_token", None)
        if token:
            row["access_token"] = token
        return row

    # --- writing ---
    def parse_body(self, body, updating=False):
        body = {key: value for key, value in body.items() if key not in COMPUTED_PERSON_KEYS}
        # The password is hashed on creation and changed through its own routes
        # afterwards, so an update silently ignores it, as Zou does.
        password = body.pop("password", None)
        values, relations = super().parse_body(body, updating)
        if password is not None and not updating:
            values["password"] = password
        return values, relations

    def create(self, request, values, relations):
        password = values.pop("password", None)
        with crud_errors():
            person, token = services.create_person(values, relations.get("departments"), password)
        person.bot_token = token
        return person

    def update(self, request, instance, values, relations):
        by_admin = is_admin(request.user)
        department_ids = relations.get("departments")
        if not by_admin and department_ids is not None:
            require(not services.forbidden_self_changes(instance, {}, department_ids))
        with crud_errors():
            person, token = services.update_person(
                instance, values, department_ids, by_admin=by_admin
            )
        person.bot_token = token
        return person


@register
class DayOffResource(CrudResource):
    """Absences: listed by admins, written by the person or an admin, read by
    whoever may see that person's day offs."""

    model = DayOff
    slug = "day-offs"
    ordering = ("date",)

    def check_read(self, request, instance):
        require(services.can_read_day_offs(request.user, instance.person))

    def check_create(self, request, values):
        person_id = values.get("person_id")
        if person_id is None:
            raise CrudError("person_id is required.")
        require_self_or_admin(request.user, person_id)

    def check_update(self, request, instance, values):
        require_self_or_admin(request.user, instance.person_id)
        if "person_id" in values:
            require_self_or_admin(request.user, values["person_id"])

    def check_delete(self, request, instance):
        require_self_or_admin(request.user, instance.person_id)

    def parse_body(self, body, updating=False):
        values, relations = super().parse_body(body, updating)
        if not updating and values.get("end_date") is None and values.get("date"):
            # A single-day absence may omit its end.
            values["end_date"] = values["date"]
        return values, relations

    def validate(self, instance):
        with crud_errors():
            services.check_day_off(instance)
        super().validate(instance)
