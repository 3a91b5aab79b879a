"""Routes of the persons and departments domains.

The time-spent, quota and presence-log routes under ``/data/persons`` belong
to the tasks app, and the credential routes (change-password, invite,
reset-password-link, disable-two-factor-authentication) to the auth views.
"""

from collections import defaultdict

from kitsu_backend.api.exceptions import NotFound, WrongParameter
from kitsu_backend.api.permissions import (
    is_client,
    require,
    require_admin,
    require_self_or_admin,
)
from kitsu_backend.api.routing import route
from kitsu_backend.api.serialization import serialize_instance, serialize_rows
from kitsu_backend.api.views import (
    KitsuView,
    get_or_404,
    parse_date,
    parse_datetime,
    parse_int,
    parse_uuid,
)
from people import services
from people.models import (
    DayOff,
    Department,
    DesktopLoginLog,
    HardwareItem,
    HardwareItemDepartmentLink,
    Person,
    Software,
    SoftwareDepartmentLink,
)
from people.presentation import (
    present_client_people,
    present_minimal_people,
    present_person,
)
from people.visibility import project_mate_ids


def _year(value):
    return parse_int(value, "year", minimum=1, maximum=9999)


def _month(value):
    return parse_int(value, "month", minimum=1, maximum=12)


def _existing(model, object_id, message):
    """The row named by a body id: 400 when malformed or unknown, as Zou answers."""
    try:
        return model.objects.get(pk=parse_uuid(object_id))
    except model.DoesNotExist:
        raise WrongParameter(message) from None


# --- departments -------------------------------------------------------------------


class DepartmentItemsMapView(KitsuView):
    """``{department_id: [item rows]}`` for every department with linked items."""

    link_model = None
    item_model = None
    item_field = None

    def get(self, request):
        require_admin(request.user)
        links = list(
            self.link_model.objects.order_by(f"{self.item_field}__name").values_list(
                "department_id", f"{self.item_field}_id"
            )
        )
        items = serialize_rows(
            self.item_model,
            self.item_model.objects.filter(pk__in={item_id for _, item_id in links}),
        )
        by_id = {row["id"]: row for row in items}
        result = defaultdict(list)
        for department_id, item_id in links:
            result[str(department_id)].append(by_id[item_id])
        return self.respond(dict(result))


class DepartmentHardwareItemsMapView(DepartmentItemsMapView):
    link_model = HardwareItemDepartmentLink
    item_model = HardwareItem
    item_field = "hardware_item"


class DepartmentSoftwareMapView(DepartmentItemsMapView):
    link_model = SoftwareDepartmentLink
    item_model = Software
    item_field = "software"


class DepartmentItemLinksView(KitsuView):
    """POST attaches an item to a department (idempotent, 201 with the link row)."""

    item_model = None
    body_key = None
    not_found_message = None
    link = None

    def post(self, request, department_id):
        require_admin(request.user)
        department = get_or_404(Department, department_id)
        (item_id,) = self.required(self.body(), self.body_key)
        item = _existing(self.item_model, item_id, self.not_found_message)
        link = self.link(department, item)
        return self.respond(serialize_instance(link, relations=False), status=201)


class DepartmentHardwareItemsView(DepartmentItemLinksView):
    item_model = HardwareItem
    body_key = "hardware_item_id"
    not_found_message = "Hardware item ID matches no hardware item"
    link = staticmethod(services.link_hardware_item)


class DepartmentSoftwareLicensesView(DepartmentItemLinksView):
    item_model = Software
    body_key = "software_id"
    not_found_message = "Software ID matches no software"
    link = staticmethod(services.link_software)


class DepartmentItemLinkView(KitsuView):
    """GET the link between a department and an item (404 when absent); DELETE it.

    Zou 1.0.97 answers this GET with a 500; the link row or a 404 is returned here.
    """

    item_model = None
    link_model = None
    item_field = None
    unlink = None

    def load(self, request, department_id, item_id):
        require_admin(request.user)
        department_id, item_id = parse_uuid(department_id), parse_uuid(item_id)
        department = get_or_404(Department, department_id)
        item = get_or_404(self.item_model, item_id)
        return department, item

    def get(self, request, department_id, **kwargs):
        department, item = self.load(request, department_id, kwargs[f"{self.item_field}_id"])
        link = self.link_model.objects.filter(
            department=department, **{self.item_field: item}
        ).first()
        if link is None:
            raise NotFound()
        return self.respond(serialize_instance(link, relations=False))

    def delete(self, request, department_id, **kwargs):
        department, item = self.load(request, department_id, kwargs[f"{self.item_field}_id"])
        self.unlink(department, item)
        return self.respond(None, status=204)


class DepartmentHardwareItemView(DepartmentItemLinkView):
    item_model = HardwareItem
    link_model = HardwareItemDepartmentLink
    item_field = "hardware_item"
    unlink = staticmethod(services.unlink_hardware_item)


class DepartmentSoftwareLicenseView(DepartmentItemLinkView):
    item_model = Software
    link_model = SoftwareDepartmentLink
    item_field = "software"
    unlink = staticmethod(services.unlink_software)


class DepartmentPersonsView(KitsuView):
    """Members of a department in the reduced form (clients: their teams only)."""

    def get(self, request, department_id):
        department = get_or_404(Department, department_id)
        people = Person.objects.filter(departments=department).order_by("first_name", "last_name")
        if is_client(request.user):
            visible = project_mate_ids(request.user) | {request.user.pk}
            return self.respond(present_client_people(people.filter(pk__in=visible)))
        return self.respond(present_minimal_people(people))


# --- persons ---------------------------------------------------------------------------


class ClearAvatarView(KitsuView):
    def delete(self, request, person_id):
        person_id = parse_uuid(person_id)
        require_self_or_admin(request.user, person_id)
        person = get_or_404(Person, person_id)
        services.clear_avatar(person)
        return self.respond(None, status=204)


class AddToDepartmentView(KitsuView):
    def post(self, request, person_id):
        require_admin(request.user)
        person = get_or_404(Person, person_id)
        (department_id,) = self.required(self.body(), "department_id")
        department = _existing(Department, department_id, "Department ID matches no department")
        services.add_to_department(person, department)
        return self.respond(present_person(person, relations=True), status=201)


class RemoveFromDepartmentView(KitsuView):
    def delete(self, request, person_id, department_id):
        require_admin(request.user)
        person = get_or_404(Person, person_id)
        department = _existing(Department, department_id, "Department ID matches no department")
        services.remove_from_department(person, department)
        return self.respond(None, status=204)


class DayOffListView(KitsuView):
    """Base of the day-off listings: rows of a period, in date order."""

    def rows(self, queryset, start, end):
        return self.respond(serialize_rows(DayOff, services.overlapping(queryset, start, end)))


class AllDayOffsForYearView(DayOffListView):
    def get(self, request, year):
        start, end = services.year_bounds(_year(year))
        return self.rows(services.visible_day_offs(request.user), start, end)


class AllDayOffsForMonthView(DayOffListView):
    def get(self, request, year, month):
        start, end = services.month_bounds(_year(year), _month(month))
        return self.rows(services.visible_day_offs(request.user), start, end)


class PersonDayOffsMixin:
    def person_day_offs(self, request, person_id):
        """The day offs of the person in the path, once the caller may read them."""
        person = get_or_404(Person, person_id)
        require(services.can_read_day_offs(request.user, person))
        return DayOff.objects.filter(person=person)


class PersonDayOffsView(PersonDayOffsMixin, KitsuView):
    def get(self, request, person_id):
        day_offs = self.person_day_offs(request, person_id).order_by("date")
        return self.respond(serialize_rows(DayOff, day_offs))


class PersonDayOffsForYearView(PersonDayOffsMixin, DayOffListView):
    def get(self, request, person_id, year):
        start, end = services.year_bounds(_year(year))
        return self.rows(self.person_day_offs(request, person_id), start, end)


class PersonDayOffsForMonthView(PersonDayOffsMixin, DayOffListView):
    def get(self, request, person_id, year, month):
        start, end = services.month_bounds(_year(year), _month(month))
        return self.rows(self.person_day_offs(request, person_id), start, end)


class PersonDayOffsForWeekView(PersonDayOffsMixin, DayOffListView):
    def get(self, request, person_id, year, week):
        year, week = _year(year), parse_int(week, "week", minimum=1, maximum=53)
        try:
            start, end = services.iso_week_bounds(year, week)
        except ValueError:
            raise WrongParameter(f"Year {year} has no week {week}.") from None
        return self.rows(self.person_day_offs(request, person_id), start, end)


class PersonDayOffForDateView(PersonDayOffsMixin, KitsuView):
    """The day off covering a date, or ``{}`` when the person works that day."""

    def get(self, request, person_id, date):
        day = parse_date(date)
        day_offs = self.person_day_offs(request, person_id)
        rows = serialize_rows(DayOff, services.overlapping(day_offs, day, day)[:1])
        return self.respond(rows[0] if rows else {})


class DesktopLoginLogsView(KitsuView):
    """Logins reported by desktop tools: read and recorded by the person or an admin."""

    def load(self, request, person_id):
        person_id = parse_uuid(person_id)
        require_self_or_admin(request.user, person_id)
        return get_or_404(Person, person_id)

    def get(self, request, person_id):
        person = self.load(request, person_id)
        logs = DesktopLoginLog.objects.filter(person=person).order_by("-date", "-created_at")
        return self.respond(serialize_rows(DesktopLoginLog, logs))

    def post(self, request, person_id):
        person = self.load(request, person_id)
        raw = self.body().get("date")
        when = parse_datetime(raw, "date") if raw not in (None, "") else None
        log = services.record_desktop_login(person, when)
        return self.respond(serialize_instance(log, relations=False), status=201)


urlpatterns = [
    # departments
    route("data/departments/hardware-items", DepartmentHardwareItemsMapView.as_view()),
    route("data/departments/software-licenses", DepartmentSoftwareMapView.as_view()),
    route(
        "data/departments/{department_id}/hardware-items",
        DepartmentHardwareItemsView.as_view(),
    ),
    route(
        "data/departments/{department_id}/hardware-items/{hardware_item_id}",
        DepartmentHardwareItemView.as_view(),
    ),
    route(
        "data/departments/{department_id}/software-licenses",
        DepartmentSoftwareLicensesView.as_view(),
    ),
    route(
        "data/departments/{department_id}/software-licenses/{software_id}",
        DepartmentSoftwareLicenseView.as_view(),
    ),
    route("data/departments/{department_id}/persons", DepartmentPersonsView.as_view()),
    # persons
    route("actions/persons/{person_id}/clear-avatar", ClearAvatarView.as_view()),
    route("actions/persons/{person_id}/departments/add", AddToDepartmentView.as_view()),
    route(
        "actions/persons/{person_id}/departments/{department_id}",
        RemoveFromDepartmentView.as_view(),
    ),
    route("data/persons/day-offs/{year}", AllDayOffsForYearView.as_view()),
    route("data/persons/day-offs/{year}/{month}", AllDayOffsForMonthView.as_view()),
    route("data/persons/{person_id}/day-offs", PersonDayOffsView.as_view()),
    route(
        "data/persons/{person_id}/day-offs/month/{year}/{month}",
        PersonDayOffsForMonthView.as_view(),
    ),
    route(
        "data/persons/{person_id}/day-offs/week/{year}/{week}",
        PersonDayOffsForWeekView.as_view(),
    ),
    route("data/persons/{person_id}/day-offs/year/{year}", PersonDayOffsForYearView.as_view()),
    route("data/persons/{person_id}/day-offs/{date}", PersonDayOffForDateView.as_view()),
    route("data/persons/{person_id}/desktop-login-logs", DesktopLoginLogsView.as_view()),
]
