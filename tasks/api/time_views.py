"""Routes of logged time: timesheet tables, one person's time, quotas, the
presence sheet, the caller's own time, day offs and desktop logins under
``/data/user``, and the generic ``/data/time-spents`` resource.

Logging time on a task (``/actions/tasks/<id>/time-spents/...``) lives with
the other task actions in ``tasks.api.views``. Who may read whose time is
decided by ``tasks.time_tracking.time_scope``.
"""

import csv
import io
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse

from kitsu_backend.api import permissions as roles
from kitsu_backend.api.crud import CrudResource, register
from kitsu_backend.api.exceptions import CrudError, Forbidden, WrongParameter
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
from people import services as people_services
from people.models import DayOff, DesktopLoginLog, Person
from productions.access import check_not_vendor_or_client, check_project_access
from tasks import quotas, time_tracking
from tasks.api.views import MANAGING, check_time_log, load_project
from tasks.models import Task, TaskType, TimeSpent
from tasks.services import recompute_duration

OVERSEERS = (roles.ADMIN, roles.MANAGER, roles.SUPERVISOR)
CSV_FILE_NAME = "kitsu_export"


# --- parameters ---------------------------------------------------------------------------


def parse_year(value):
    return parse_int(value, "year", minimum=1, maximum=9998)


def parse_month(value):
    return parse_int(value, "month", minimum=1, maximum=12)


def parse_week(value):
    return parse_int(value, "week", minimum=1, maximum=53)


def period_or_400(function, *args):
    """Call a period builder, turning a date that does not exist into a 400."""
    try:
        return function(*args)
    except ValueError:
        raise WrongParameter("Invalid date format.") from None


def optional_uuid(request, name):
    value = request.query_params.get(name)
    return parse_uuid(value) if value else None


def date_range_filter(request):
    """``start_date``/``end_date`` query parameters: both or neither (400 otherwise)."""
    start = request.query_params.get("start_date")
    end = request.query_params.get("end_date")
    if not start and not end:
        return None
    if not start or not end:
        raise WrongParameter(
            "If querying for a range of dates, both a `start_date` and an `end_date` must be given."
        )
    return Q(date__range=(parse_date(start, "start_date"), parse_date(end, "end_date")))


def project_filter(request, scope):
    """The ``project_id`` query parameter; 403 for a production the viewer
    oversees no part of."""
    project_id = optional_uuid(request, "project_id")
    if project_id is None:
        return None
    if scope.overseer and project_id not in scope.project_ids:
        raise Forbidden()
    return Q(task__project_id=project_id)


def combine(*conditions):
    result = Q()
    for condition in conditions:
        if condition is not None:
            result &= condition
    return result


def load_person(person_id):
    return get_or_404(Person, person_id)


# --- timesheet tables -----------------------------------------------------------------------


class TimeTableView(KitsuView):
    """``{unit: {person_id: minutes}}`` of the time the caller may read.

    Query parameters ``project_id``, ``department_id`` and ``studio_id``
    narrow the table.
    """

    detail = "month"

    def filters(self, request, scope):
        department_id = optional_uuid(request, "department_id")
        studio_id = optional_uuid(request, "studio_id")
        conditions = [project_filter(request, scope)]
        if department_id is not None:
            only_supervising = scope.supervised and not scope.managed
            if only_supervising and scope.departments and department_id not in scope.departments:
                raise WrongParameter("Supervisor not allowed to access this department")
            conditions.append(Q(task__task_type__department_id=department_id))
        if studio_id is not None:
            conditions.append(Q(person__studio_id=studio_id))
        return combine(*conditions)

    def period(self, **kwargs):
        return None

    def get(self, request, **kwargs):
        scope = time_tracking.time_scope(request.user)
        period = self.period(**kwargs)
        filters = self.filters(request, scope)
        return self.respond(time_tracking.time_table(scope, self.detail, period, filters))


class YearTableView(TimeTableView):
    detail = "year"


class MonthTableView(TimeTableView):
    detail = "month"

    def period(self, year):
        return time_tracking.year_period(parse_year(year))


class WeekTableView(MonthTableView):
    detail = "week"


class DayTableView(TimeTableView):
    detail = "day"

    def period(self, year, month):
        return time_tracking.month_period(parse_year(year), parse_month(month))


# --- one person's time ----------------------------------------------------------------------


class PersonTimeSpentsView(KitsuView):
    """Every time entry of a person, optionally between two dates (admins)."""

    def get(self, request, person_id):
        person_id = parse_uuid(person_id)
        roles.require_admin(request.user)
        person = load_person(person_id)
        scope = time_tracking.TimeScope(everything=True)
        rows = time_tracking.person_time_spents(person, scope, filters=date_range_filter(request))
        return self.respond(rows)


class PersonDateTimeSpentsView(KitsuView):
    """A person's time entries of one date, as far as the caller may read them."""

    def get(self, request, person_id, date):
        person_id = parse_uuid(person_id)
        day = parse_date(date)
        if roles.is_client(request.user):
            raise Forbidden()
        person = load_person(person_id)
        scope = time_tracking.person_time_scope(request.user, person)
        return self.respond(time_tracking.person_time_spents(person, scope, (day, day)))


class PersonMonthAllTimeSpentsView(KitsuView):
    """Every time entry of a person in a month (the person or an admin)."""

    def get(self, request, person_id, year, month):
        person_id = parse_uuid(person_id)
        period = time_tracking.month_period(parse_year(year), parse_month(month))
        if roles.is_client(request.user):
            raise Forbidden()
        roles.require_self_or_admin(request.user, person_id)
        person = load_person(person_id)
        scope = time_tracking.TimeScope(everything=True)
        return self.respond(time_tracking.person_time_spents(person, scope, period))


class PersonPeriodTimeSpentsView(KitsuView):
    """Minutes a person logged per task over a period, with the task's names.

    ``project_id`` narrows it to one production."""

    def period(self, **kwargs):
        raise NotImplementedError

    def get(self, request, person_id, **kwargs):
        person_id = parse_uuid(person_id)
        period = self.period(**kwargs)
        if roles.is_client(request.user):
            raise Forbidden()
        person = load_person(person_id)
        scope = time_tracking.person_time_scope(request.user, person)
        filters = project_filter(request, scope)
        return self.respond(time_tracking.person_task_durations(person, scope, period, filters))


class PersonYearTimeSpentsView(PersonPeriodTimeSpentsView):
    def period(self, year):
        return time_tracking.year_period(parse_year(year))


class PersonMonthTimeSpentsView(PersonPeriodTimeSpentsView):
    def period(self, year, month):
        return time_tracking.month_period(parse_year(year), parse_month(month))


class PersonWeekTimeSpentsView(PersonPeriodTimeSpentsView):
    def period(self, year, week):
        return period_or_400(time_tracking.week_period, parse_year(year), parse_week(week))


class PersonDayTimeSpentsView(PersonPeriodTimeSpentsView):
    def period(self, year, month, day):
        day = parse_int(day, "day", minimum=1, maximum=31)
        return period_or_400(time_tracking.day_period, parse_year(year), parse_month(month), day)


# --- quotas -----------------------------------------------------------------------------------


def count_mode(request):
    try:
        return quotas.parse_count_mode(request.query_params.get("count_mode"))
    except quotas.QuotaError as error:
        raise WrongParameter(str(error)) from None


class PersonQuotaShotsView(KitsuView):
    """The shots behind a person's quota over a period, each with its weight.

    Query parameters: ``project_id`` and ``task_type_id`` (required),
    ``count_mode``. Managers and supervisors of the production read anyone's;
    other members only their own.
    """

    def period(self, **kwargs):
        raise NotImplementedError

    def get(self, request, person_id, **kwargs):
        person_id = parse_uuid(person_id)
        project_id = optional_uuid(request, "project_id")
        task_type_id = optional_uuid(request, "task_type_id")
        if project_id is None or task_type_id is None:
            raise WrongParameter("The parameters project_id and task_type_id are required.")
        first_day, last_day = self.period(**kwargs)
        feedback, weighted = count_mode(request)
        viewer = request.user
        if roles.is_client(viewer):
            raise Forbidden()
        person = load_person(person_id)
        project = load_project(project_id)
        role = check_project_access(viewer, project.pk)
        if role not in OVERSEERS and viewer.pk != person.pk:
            raise Forbidden()
        rows = quotas.quota_shots(
            person,
            viewer,
            project.pk,
            task_type_id,
            first_day,
            last_day,
            feedback=feedback,
            weighted=weighted,
        )
        return self.respond(rows)


class PersonMonthQuotaShotsView(PersonQuotaShotsView):
    def period(self, year, month):
        return time_tracking.month_period(parse_year(year), parse_month(month))


class PersonWeekQuotaShotsView(PersonQuotaShotsView):
    def period(self, year, week):
        return period_or_400(time_tracking.week_period, parse_year(year), parse_week(week))


class PersonDayQuotaShotsView(PersonQuotaShotsView):
    def period(self, year, month, day):
        day = parse_int(day, "day", minimum=1, maximum=31)
        return period_or_400(time_tracking.day_period, parse_year(year), parse_month(month), day)


class ProjectQuotasView(KitsuView):
    """Quota statistics of a task type per person (studio staff of the production)."""

    def get(self, request, project_id, task_type_id):
        project = load_project(project_id)
        check_not_vendor_or_client(request.user, project.pk)
        task_type = get_or_404(TaskType, task_type_id)
        feedback, weighted = count_mode(request)
        studio_id = optional_uuid(request, "studio_id")
        data = quotas.quotas(
            project,
            request.user,
            task_type_id=task_type.pk,
            studio_id=studio_id,
            feedback=feedback,
            weighted=weighted,
        )
        return self.respond(data)


class ProjectPersonQuotasView(KitsuView):
    """One person's quota statistics in a production, per task type.

    Managers and supervisors of the production read anyone's; other members
    only their own."""

    def get(self, request, project_id, person_id):
        project = load_project(project_id)
        person_id = parse_uuid(person_id)
        viewer = request.user
        role = check_project_access(viewer, project.pk)
        if role == roles.CLIENT:
            raise Forbidden()
        person = load_person(person_id)
        if role not in OVERSEERS and viewer.pk != person.pk:
            raise Forbidden()
        feedback, weighted = count_mode(request)
        studio_id = optional_uuid(request, "studio_id")
        data = quotas.quotas(
            project,
            viewer,
            person_id=person.pk,
            studio_id=studio_id,
            feedback=feedback,
            weighted=weighted,
        )
        return self.respond(data)


# --- presence sheet ---------------------------------------------------------------------------


def csv_response(rows, file_name=CSV_FILE_NAME):
    """A CSV attachment in Zou's dialect (semicolon separated)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    response = HttpResponse(buffer.getvalue(), content_type="text/csv")
    response["Content-Disposition"] = f"attachment; filename={file_name}.csv"
    return response


class PresenceLogsView(KitsuView):
    """``month_date`` is ``YYYY-MM``; answers the presence sheet as CSV (admins)."""

    def get(self, request, month_date):
        roles.require_admin(request.user)
        try:
            month = datetime.strptime(month_date, "%Y-%m")
        except ValueError:
            raise WrongParameter("Invalid month or year.") from None
        if month.year > 9998:
            raise WrongParameter("Invalid month or year.")
        return csv_response(time_tracking.presence_grid(month.year, month.month))


# --- the caller's own time, day offs and logins ------------------------------------------------


class UserTimeSpentsView(KitsuView):
    """The caller's time entries, optionally between ``start_date`` and ``end_date``."""

    def get(self, request):
        scope = time_tracking.TimeScope(everything=True)
        rows = time_tracking.person_time_spents(
            request.user, scope, filters=date_range_filter(request)
        )
        return self.respond(rows)


class UserDateTimeSpentsView(KitsuView):
    def get(self, request, date):
        day = parse_date(date)
        scope = time_tracking.TimeScope(everything=True)
        return self.respond(time_tracking.person_time_spents(request.user, scope, (day, day)))


class UserTaskTimeSpentView(KitsuView):
    """The caller's entry on a task for a date, or ``{}`` when none was logged.

    Zou 1.0.97 fails with a 500 when there is no entry; an empty object is
    answered here."""

    def get(self, request, task_id, date):
        task_id = parse_uuid(task_id)
        day = parse_date(date)
        task = get_or_404(Task.objects.only("id"), task_id)
        rows = serialize_rows(
            TimeSpent,
            TimeSpent.objects.filter(task_id=task.pk, person_id=request.user.pk, date=day),
        )
        return self.respond(rows[0] if rows else {})


class UserDayOffView(KitsuView):
    """The caller's day off covering a date, or ``{}``."""

    def get(self, request, date):
        day = parse_date(date)
        day_offs = DayOff.objects.filter(person_id=request.user.pk)
        rows = serialize_rows(DayOff, people_services.overlapping(day_offs, day, day)[:1])
        return self.respond(rows[0] if rows else {})


class UserDesktopLoginLogsView(KitsuView):
    """Desktop-tool logins of the caller: listed newest first, or recorded."""

    def get(self, request):
        logs = DesktopLoginLog.objects.filter(person_id=request.user.pk).order_by(
            "-date", "-created_at"
        )
        return self.respond(serialize_rows(DesktopLoginLog, logs))

    def post(self, request):
        raw = self.body().get("date")
        when = parse_datetime(raw, "date") if raw not in (None, "") else None
        log = people_services.record_desktop_login(request.user, when)
        return self.respond(serialize_instance(log, relations=False), status=201)


class UserClearAvatarView(KitsuView):
    def delete(self, request):
        people_services.clear_avatar(request.user)
        return self.respond(None, status=204)


# --- the generic /data/time-spents resource ------------------------------------------------------


def _check_own_or_managed(viewer, task, person_id):
    """Admins, managers of the task's production, and the entry's own person
    while on the production's team."""
    if roles.is_admin(viewer):
        return
    role = check_project_access(viewer, task.project_id)
    if role in MANAGING:
        return
    if role == roles.CLIENT or viewer.pk != person_id:
        raise Forbidden()


@register
class TimeSpentResource(CrudResource):
    """Time entries: listed by admins; read by their person, admins and the
    people overseeing the production; written like the time-logging actions
    (by the assignee or the production's managers); deleted by the person or
    a manager. Every write recomputes the task's duration."""

    model = TimeSpent
    slug = "time-spents"
    ordering = ("date", "created_at")

    def check_read(self, request, instance):
        viewer = request.user
        if roles.is_admin(viewer) or instance.person_id == viewer.pk:
            return
        scope = time_tracking.time_scope(viewer)
        if not TimeSpent.objects.filter(scope.condition(), pk=instance.pk).exists():
            raise Forbidden()

    def _task_and_person(self, values):
        task_id, person_id = values.get("task_id"), values.get("person_id")
        if task_id is None or person_id is None:
            raise CrudError("task_id and person_id are required.")
        task = Task.objects.select_related("project").filter(pk=task_id).first()
        person = Person.objects.filter(pk=person_id).first()
        if task is None or person is None:
            raise CrudError("The task or the person does not exist.")
        return task, person

    def check_create(self, request, values):
        task, person = self._task_and_person(values)
        if not roles.is_admin(request.user):
            check_time_log(request.user, task, person)

    def check_update(self, request, instance, values):
        if roles.is_admin(request.user):
            return
        moved = any(
            name in values and values[name] != getattr(instance, name)
            for name in ("task_id", "person_id")
        )
        if moved:
            raise Forbidden()
        check_time_log(request.user, instance.task, instance.person)

    def check_delete(self, request, instance):
        _check_own_or_managed(request.user, instance.task, instance.person_id)

    def project_id(self, instance):
        return Task.objects.filter(pk=instance.task_id).values_list("project_id", flat=True).first()

    def create(self, request, values, relations):
        with transaction.atomic():
            instance = super().create(request, values, relations)
            recompute_duration(instance.task)
        return instance

    def update(self, request, instance, values, relations):
        previous_task_id = instance.task_id
        with transaction.atomic():
            instance = super().update(request, instance, values, relations)
            for task in Task.objects.filter(pk__in={previous_task_id, instance.task_id}):
                recompute_duration(task)
        return instance

    def delete(self, request, instance):
        task = instance.task
        with transaction.atomic():
            super().delete(request, instance)
            if task is not None:
                recompute_duration(task)


urlpatterns = [
    route("data/persons/time-spents/year-table", YearTableView.as_view()),
    route("data/persons/time-spents/month-table/{year}", MonthTableView.as_view()),
    route("data/persons/time-spents/week-table/{year}", WeekTableView.as_view()),
    route("data/persons/time-spents/day-table/{year}/{month}", DayTableView.as_view()),
    route("data/persons/presence-logs/{month_date}", PresenceLogsView.as_view()),
    route("data/persons/{person_id}/time-spents", PersonTimeSpentsView.as_view()),
    route("data/persons/{person_id}/time-spents/{date}", PersonDateTimeSpentsView.as_view()),
    route("data/persons/{person_id}/time-spents/year/{year}", PersonYearTimeSpentsView.as_view()),
    route(
        "data/persons/{person_id}/time-spents/month/{year}/{month}",
        PersonMonthTimeSpentsView.as_view(),
    ),
    route(
        "data/persons/{person_id}/time-spents/month/all/{year}/{month}",
        PersonMonthAllTimeSpentsView.as_view(),
    ),
    route(
        "data/persons/{person_id}/time-spents/week/{year}/{week}",
        PersonWeekTimeSpentsView.as_view(),
    ),
    route(
        "data/persons/{person_id}/time-spents/day/{year}/{month}/{day}",
        PersonDayTimeSpentsView.as_view(),
    ),
    route(
        "data/persons/{person_id}/quota-shots/month/{year}/{month}",
        PersonMonthQuotaShotsView.as_view(),
    ),
    route(
        "data/persons/{person_id}/quota-shots/week/{year}/{week}",
        PersonWeekQuotaShotsView.as_view(),
    ),
    route(
        "data/persons/{person_id}/quota-shots/day/{year}/{month}/{day}",
        PersonDayQuotaShotsView.as_view(),
    ),
    route(
        "data/projects/{project_id}/quotas/persons/{person_id}", ProjectPersonQuotasView.as_view()
    ),
    route("data/projects/{project_id}/quotas/{task_type_id}", ProjectQuotasView.as_view()),
    route("data/user/time-spents", UserTimeSpentsView.as_view()),
    route("data/user/time-spents/{date}", UserDateTimeSpentsView.as_view()),
    route("data/user/tasks/{task_id}/time-spents/{date}", UserTaskTimeSpentView.as_view()),
    route("data/user/day-offs/{date}", UserDayOffView.as_view()),
    route("data/user/desktop-login-logs", UserDesktopLoginLogsView.as_view()),
    route("actions/user/clear-avatar", UserClearAvatarView.as_view()),
]
