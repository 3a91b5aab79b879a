"""Routes of the projects and project_templates domains.

Views parse and check the request, ask ``productions.access`` whether the
caller may act, call ``productions.services`` and render. The project time
spent routes and the schedule version actions are served by the tasks app.
"""

from django.http import HttpResponse

from kitsu_backend.api.exceptions import ApiError, CrudError, NotFound, WrongParameter
from kitsu_backend.api.permissions import (
    ADMIN,
    CLIENT,
    MANAGER,
    SUPERVISOR,
    VENDOR,
    require,
    require_admin,
    require_manager,
)
from kitsu_backend.api.routing import route
from kitsu_backend.api.serialization import serialize_instance, serialize_rows
from kitsu_backend.api.views import KitsuView, get_or_404, parse_date, parse_uuid, query_flag
from people.models import Department, Person
from people.presentation import present_client_people, present_minimal_people, present_people
from productions import services
from productions.access import (
    check_manager_access,
    check_project_access,
    check_supervisor_access,
    scope_to_projects,
)
from productions.api.crud import production_errors
from productions.models import (
    Budget,
    BudgetEntry,
    MetadataDescriptor,
    Milestone,
    PreviewBackgroundFile,
    ProductionScheduleVersion,
    Project,
    ProjectTemplate,
    ScheduleItem,
    StatusAutomation,
)


def _id(value):
    return parse_uuid(value)


def _optional_id(value, name):
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise WrongParameter(f"{name} must be an id.")
    return parse_uuid(value)


def _bool(body, name, default=None):
    value = body.get(name, default)
    if value is not None and not isinstance(value, bool):
        raise WrongParameter(f"{name} must be true or false.")
    return value


def _int(body, name, minimum=None):
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.lstrip("-").isdigit():
            value = int(value)
        else:
            raise WrongParameter(f"{name} must be a whole number.")
    if minimum is not None and value < minimum:
        raise WrongParameter(f"{name} must be at least {minimum}.")
    return value


def _string_list(body, name):
    value = body.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise WrongParameter(f"{name} must be a list of strings.")
    return value


def _id_list(body, name):
    return [parse_uuid(item) for item in _string_list(body, name)]


def _bitrates(body):
    keys = ("hd_bitrate_compression", "ld_bitrate_compression")
    if not any(key in body for key in keys):
        return None
    return {key: _int(body, key, minimum=1) for key in keys}


class ProjectView(KitsuView):
    """A route under ``/data/projects/{project_id}``: loads the project (400/404)."""

    def project(self, project_id):
        return get_or_404(Project, project_id)


# --- project lists -------------------------------------------------------------------


class OpenProjectsView(KitsuView):
    def get(self, request):
        name = request.query_params.get("name")
        return self.respond(services.open_projects(request.user, name))


class AllProjectsView(KitsuView):
    """Every project for admins; others get the projects of their teams (as Zou)."""

    def get(self, request):
        queryset = scope_to_projects(request.user, Project.objects.all(), field="id")
        name = request.query_params.get("name")
        if name is not None:
            queryset = queryset.filter(name__iexact=name)
        return self.respond(services.all_projects(queryset))


# --- team ----------------------------------------------------------------------------


class TeamView(ProjectView):
    def get(self, request, project_id):
        project = self.project(project_id)
        role = check_project_access(request.user, project.pk)
        people = Person.objects.filter(project_links__project=project).order_by(
            "first_name", "last_name"
        )
        if role in (ADMIN, MANAGER):
            rows = present_people(people, relations=True)
        elif role == CLIENT:
            rows = present_client_people(people)
        else:
            rows = present_minimal_people(people)
        project_roles = services.team_roles(project)
        for row in rows:
            row["project_role"] = project_roles.get(row["id"])
        return self.respond(rows)

    def post(self, request, project_id):
        project = self.project(project_id)
        body = self.body()
        (person_id,) = self.required(body, "person_id")
        check_manager_access(request.user, project.pk)
        with production_errors():
            result = services.add_team_member(project, _id(person_id), body.get("role"))
        return self.respond(result, status=201)


class TeamMemberView(ProjectView):
    def put(self, request, project_id, person_id):
        project = self.project(project_id)
        person_id = _id(person_id)
        body = self.body()
        check_manager_access(request.user, project.pk)
        with production_errors():
            result = services.update_team_member_role(project, person_id, body.get("role"))
        return self.respond(result)

    def delete(self, request, project_id, person_id):
        project = self.project(project_id)
        person_id = _id(person_id)
        check_manager_access(request.user, project.pk)
        services.remove_team_member(project, person_id)
        return self.respond(None, status=204)


# --- preview account -----------------------------------------------------------------


class PreviewAccountView(ProjectView):
    def get(self, request, project_id):
        project = self.project(project_id)
        check_manager_access(request.user, project.pk)
        account = services.present_preview_account(services.preview_account(project))
        if account is None:
            # Zou answers a JSON ``null``; the renderer sends no body for None.
            return HttpResponse(b"null", content_type="application/json")
        return self.respond(account)

    def post(self, request, project_id):
        project = self.project(project_id)
        check_manager_access(request.user, project.pk)
        account, password = services.create_or_reset_preview_account(project)
        return self.respond({**account, "password": password}, status=201)

    def put(self, request, project_id):
        project = self.project(project_id)
        body = self.body()
        if not isinstance(body.get("is_open"), bool):
            raise WrongParameter("is_open must be true or false.")
        check_manager_access(request.user, project.pk)
        return self.respond(services.set_preview_account_open(project, body["is_open"]))

    def delete(self, request, project_id):
        project = self.project(project_id)
        check_manager_access(request.user, project.pk)
        services.remove_preview_account(project)
        return self.respond(None, status=204)


# --- settings ------------------------------------------------------------------------


class SettingsListView(ProjectView):
    """GET the rows enabled in a project, POST one more (by id in the body)."""

    body_key = None
    add = None
    read_role_check = staticmethod(check_project_access)

    def rows(self, project):
        raise NotImplementedError

    def get(self, request, project_id):
        project = self.project(project_id)
        self.read_role_check(request.user, project.pk)
        return self.respond(self.rows(project))

    def post(self, request, project_id):
        project = self.project(project_id)
        body = self.body()
        (target_id,) = self.required(body, self.body_key)
        check_manager_access(request.user, project.pk)
        with production_errors():
            result = self.add_to(project, _id(target_id), body)
        return self.respond(result, status=201)

    def add_to(self, project, target_id, body):
        return type(self).add(project, target_id)


class SettingsItemView(ProjectView):
    """DELETE one row from a project's settings."""

    remove = None

    def delete(self, request, project_id, item_id):
        project = self.project(project_id)
        item_id = _id(item_id)
        check_manager_access(request.user, project.pk)
        type(self).remove(project, item_id)
        return self.respond(None, status=204)


class AssetTypeSettingsView(SettingsListView):
    body_key = "asset_type_id"
    add = services.add_asset_type
    http_method_names = ["post", "options"]


class AssetTypeSettingView(SettingsItemView):
    remove = services.remove_asset_type


class TaskTypesView(ProjectView):
    """Task types enabled in the project (``GET /data/projects/{id}/task-types``)."""

    def get(self, request, project_id):
        project = self.project(project_id)
        check_project_access(request.user, project.pk)
        model = services.task_type_model()
        queryset = model.objects.filter(project_links__project=project)
        return self.respond(serialize_rows(model, queryset))


class TaskTypeSettingsView(SettingsListView):
    body_key = "task_type_id"
    http_method_names = ["post", "options"]

    def add_to(self, project, target_id, body):
        return services.add_task_type(
            project,
            target_id,
            priority=_int(body, "priority"),
            bitrates=_bitrates(body),
            is_client_visible=_bool(body, "is_client_visible"),
        )


class TaskTypeSettingView(SettingsItemView):
    remove = services.remove_task_type


class TaskStatusSettingsView(SettingsListView):
    body_key = "task_status_id"
    add = services.add_task_status

    def rows(self, project):
        model = services.task_status_model()
        return serialize_rows(model, model.objects.filter(project_links__project=project))


class TaskStatusSettingView(SettingsItemView):
    remove = services.remove_task_status

    def put(self, request, project_id, item_id):
        """Per-project overrides of a status: client permission (Zou) and board roles."""
        project = self.project(project_id)
        item_id = _id(item_id)
        body = self.body()
        changes = {}
        if "is_client_allowed" in body:
            changes["is_client_allowed"] = _bool(body, "is_client_allowed")
        if "roles_for_board" in body:
            board_roles = _string_list(body, "roles_for_board")
            unknown = set(board_roles) - {ADMIN, MANAGER, SUPERVISOR, "user", CLIENT, VENDOR}
            if unknown:
                raise WrongParameter(f"Unknown roles: {', '.join(sorted(unknown))}.")
            changes["roles_for_board"] = board_roles
        if not changes:
            raise WrongParameter("The field is_client_allowed is required.")
        check_manager_access(request.user, project.pk)
        return self.respond(services.set_task_status_link(project, item_id, changes))


class StatusAutomationSettingsView(SettingsListView):
    body_key = "status_automation_id"
    add = services.add_status_automation
    read_role_check = staticmethod(check_manager_access)

    def rows(self, project):
        return serialize_rows(
            StatusAutomation,
            StatusAutomation.objects.filter(pk__in=_linked(project, "status_automations")),
        )


class StatusAutomationSettingView(SettingsItemView):
    remove = services.remove_status_automation


class PreviewBackgroundSettingsView(SettingsListView):
    body_key = "preview_background_file_id"
    add = services.add_preview_background_file

    def rows(self, project):
        return serialize_rows(
            PreviewBackgroundFile,
            PreviewBackgroundFile.objects.filter(
                pk__in=_linked(project, "preview_background_files")
            ),
        )


class PreviewBackgroundSettingView(SettingsItemView):
    remove = services.remove_preview_background_file


def _linked(project, relation):
    return getattr(project, relation).values("pk")


class SettingsBatchView(ProjectView):
    def post(self, request, project_id):
        project = self.project(project_id)
        body = self.body()
        task_types = body.get("task_types") or []
        if not isinstance(task_types, list) or not all(isinstance(t, dict) for t in task_types):
            raise WrongParameter("task_types must be a list of objects.")
        entries = []
        for entry in task_types:
            (task_type_id,) = self.required(entry, "task_type_id")
            entries.append(
                {
                    "task_type_id": _id(task_type_id),
                    "priority": _int(entry, "priority"),
                    "is_client_visible": _bool(entry, "is_client_visible"),
                }
            )
        task_status_ids = _id_list(body, "task_status_ids")
        asset_type_ids = _id_list(body, "asset_type_ids")
        replace = _bool(body, "replace_task_types", False)
        check_manager_access(request.user, project.pk)
        result = services.update_settings(
            project, entries, task_status_ids, asset_type_ids, replace=replace
        )
        return self.respond(result)


class TaskTypeSoftwaresView(ProjectView):
    def get(self, request, project_id):
        project = self.project(project_id)
        check_project_access(request.user, project.pk)
        return self.respond(services.task_type_software_links(project))


def _check_task_type_supervisor(person, project, task_type_id):
    """Managers of the project, or supervisors of the task type's department."""
    role = check_supervisor_access(person, project.pk)
    if role != SUPERVISOR:
        return
    mine = set(person.departments.values_list("pk", flat=True))
    if not mine:
        return
    model = services.task_type_model()
    department_id = (
        model.objects.filter(pk=task_type_id).values_list("department_id", flat=True).first()
    )
    require(department_id in mine)


class TaskTypeSoftwareAddView(ProjectView):
    def post(self, request, project_id, task_type_id):
        project = self.project(project_id)
        task_type_id = _id(task_type_id)
        body = self.body()
        (software_id,) = self.required(body, "software_id")
        software_id = _id(software_id)
        _check_task_type_supervisor(request.user, project, task_type_id)
        with production_errors():
            link = services.add_task_type_software(project, task_type_id, software_id)
        return self.respond(link, status=201)


class TaskTypeSoftwareRemoveView(ProjectView):
    def delete(self, request, project_id, task_type_id, software_id):
        project = self.project(project_id)
        task_type_id, software_id = _id(task_type_id), _id(software_id)
        _check_task_type_supervisor(request.user, project, task_type_id)
        services.remove_task_type_software(project, task_type_id, software_id)
        return self.respond(None, status=204)


# --- metadata descriptors ------------------------------------------------------------


def _descriptor_body(body, creating):
    """Checked descriptor fields of a request body."""
    values = {}
    name = body.get("name")
    if creating or name is not None:
        if not isinstance(name, str) or not name.strip():
            raise WrongParameter(
                "Name cannot be empty." if not creating else "The field name is required."
            )
        values["name"] = name
    if creating or "data_type" in body:
        data_type = body.get("data_type") or "string"
        if data_type not in services.DESCRIPTOR_DATA_TYPES:
            raise WrongParameter("Invalid data_type")
        values["data_type"] = data_type
    if creating or "for_client" in body:
        values["for_client"] = bool(_bool(body, "for_client", False))
    if creating or "choices" in body:
        values["choices"] = _string_list(body, "choices")
    departments = None
    if creating or "departments" in body:
        departments = _id_list(body, "departments")
    return values, departments


def _check_descriptor_rights(person, project, department_ids):
    """Managers of the project; supervisors only for columns of their departments."""
    role = check_supervisor_access(person, project.pk)
    if role == SUPERVISOR:
        require(services.supervisor_may_edit_departments(person, department_ids))


def _descriptor_departments(descriptor):
    return list(descriptor.departments.values_list("pk", flat=True))


class DescriptorsView(ProjectView):
    def get(self, request, project_id):
        project = self.project(project_id)
        role = check_project_access(request.user, project.pk)
        queryset = MetadataDescriptor.objects.filter(project=project)
        narrowing = services.descriptor_filter_for(request.user, role)
        if narrowing is not None:
            queryset = queryset.filter(narrowing)
        return self.respond(services.present_descriptors(queryset))

    def post(self, request, project_id):
        project = self.project(project_id)
        body = self.body()
        values, departments = _descriptor_body(body, creating=True)
        entity_type = body.get("entity_type") or "Asset"
        task_type_id = _optional_id(body.get("task_type_id"), "task_type_id")
        _check_descriptor_rights(request.user, project, departments)
        if entity_type not in services.DESCRIPTOR_ENTITY_TYPES:
            raise WrongParameter(
                "Wrong entity type. Please select Asset, Shot, Sequence, Episode, Edit, "
                "Project, or Task."
            )
        if entity_type == "Task":
            if task_type_id is None:
                raise WrongParameter("Task metadata descriptors require a task_type_id.")
            if not services.task_type_model().objects.filter(pk=task_type_id).exists():
                raise WrongParameter("Task type not found.")
        elif task_type_id is not None:
            raise WrongParameter("task_type_id only applies to Task metadata descriptors.")
        with production_errors():
            descriptor = services.create_descriptor(
                project,
                entity_type,
                values["name"],
                values["data_type"],
                values["choices"],
                values["for_client"],
                departments,
                task_type_id=task_type_id,
            )
        return self.respond(descriptor, status=201)


class DescriptorView(ProjectView):
    def descriptor(self, project, descriptor_id):
        descriptor = get_or_404(MetadataDescriptor, descriptor_id)
        if descriptor.project_id != project.pk:
            raise NotFound()
        return descriptor

    def get(self, request, project_id, descriptor_id):
        project = self.project(project_id)
        role = check_project_access(request.user, project.pk)
        descriptor = self.descriptor(project, descriptor_id)
        narrowing = services.descriptor_filter_for(request.user, role)
        if narrowing is not None:
            visible = MetadataDescriptor.objects.filter(narrowing, pk=descriptor.pk).exists()
            require(visible)
        return self.respond(services.present_descriptor(descriptor))

    def put(self, request, project_id, descriptor_id):
        project = self.project(project_id)
        descriptor = self.descriptor(project, descriptor_id)
        body = self.body()
        values, departments = _descriptor_body(body, creating=False)
        _check_descriptor_rights(
            request.user, project, _descriptor_departments(descriptor) + (departments or [])
        )
        with production_errors():
            result = services.update_descriptor(descriptor, values, departments)
        return self.respond(result)

    def delete(self, request, project_id, descriptor_id):
        project = self.project(project_id)
        descriptor = self.descriptor(project, descriptor_id)
        _check_descriptor_rights(request.user, project, _descriptor_departments(descriptor))
        services.remove_descriptor(descriptor)
        return self.respond(None, status=204)


class DescriptorsReorderView(ProjectView):
    def post(self, request, project_id):
        project = self.project(project_id)
        body = self.body()
        (entity_type,) = self.required(body, "entity_type")
        descriptor_ids = _string_list(body, "descriptor_ids")
        if not descriptor_ids:
            raise WrongParameter("The field descriptor_ids is required.")
        check_manager_access(request.user, project.pk)
        if entity_type not in services.DESCRIPTOR_ENTITY_TYPES:
            raise WrongParameter(
                "Wrong entity type. Please select Asset, Shot, Sequence, Episode, Edit, "
                "Project, or Task."
            )
        with production_errors():
            rows = services.reorder_descriptors(project.pk, entity_type, descriptor_ids)
        return self.respond(rows)


def _all_projects_entity_type(entity_type):
    if entity_type not in services.ALL_PROJECTS_DESCRIPTOR_ENTITY_TYPES:
        raise WrongParameter(
            "Wrong entity type. Please select Asset, Shot, Sequence, Episode, Edit, or Project."
        )
    return entity_type


class AllProjectsDescriptorsView(KitsuView):
    def post(self, request):
        require_manager(request.user)
        body = self.body()
        values, departments = _descriptor_body(body, creating=True)
        entity_type = _all_projects_entity_type(body.get("entity_type") or "Asset")
        project_ids = services.managed_open_project_ids(request.user)
        with production_errors():
            created = services.create_descriptor_on_projects(
                project_ids,
                entity_type,
                values["name"],
                values["data_type"],
                values["choices"],
                values["for_client"],
                departments,
            )
        return self.respond(created, status=201)


class AllProjectsDescriptorView(KitsuView):
    def put(self, request, field_name):
        require_manager(request.user)
        body = self.body()
        entity_type = _all_projects_entity_type(body.get("entity_type"))
        values, departments = _descriptor_body(body, creating=False)
        project_ids = services.managed_open_project_ids(request.user)
        with production_errors():
            rows = services.update_descriptor_on_projects(
                project_ids, entity_type, field_name, values, departments
            )
        return self.respond(rows)

    def delete(self, request, field_name):
        require_manager(request.user)
        entity_type = _all_projects_entity_type(request.query_params.get("entity_type"))
        project_ids = services.managed_open_project_ids(request.user)
        removed = services.remove_descriptor_from_projects(project_ids, entity_type, field_name)
        return self.respond(removed)


class AllProjectsDescriptorsReorderView(KitsuView):
    def post(self, request):
        require_manager(request.user)
        body = self.body()
        entity_type = _all_projects_entity_type(body.get("entity_type"))
        field_order = _string_list(body, "field_order")
        if not field_order:
            raise WrongParameter("The field field_order is required.")
        project_ids = services.managed_open_project_ids(request.user)
        with production_errors():
            rows = services.reorder_descriptors_on_projects(project_ids, entity_type, field_order)
        return self.respond(rows)


# --- schedules -----------------------------------------------------------------------


class MilestonesView(ProjectView):
    def get(self, request, project_id):
        project = self.project(project_id)
        role = check_project_access(request.user, project.pk)
        require(role != CLIENT)
        return self.respond(services.present_milestones(Milestone.objects.filter(project=project)))


class ScheduleItemsView(ProjectView):
    def get(self, request, project_id):
        project = self.project(project_id)
        role = check_project_access(request.user, project.pk)
        require(role not in (CLIENT, VENDOR))
        return self.respond(
            serialize_rows(ScheduleItem, ScheduleItem.objects.filter(project=project))
        )


class TaskTypeScheduleItemsView(ProjectView):
    def get(self, request, project_id):
        project = self.project(project_id)
        role = check_project_access(request.user, project.pk)
        require(role != VENDOR)
        return self.respond(services.task_type_schedule_items(project))


class EntityScheduleItemsView(ProjectView):
    """Bars of one task type per asset type, episode, sequence or edit."""

    build = None

    def get(self, request, project_id, task_type_id):
        project = self.project(project_id)
        task_type_id = _id(task_type_id)
        role = check_project_access(request.user, project.pk)
        require(role != VENDOR)
        episode_id = _optional_id(request.query_params.get("episode"), "episode")
        if not services.task_type_model().objects.filter(pk=task_type_id).exists():
            raise NotFound()
        return self.respond(type(self).build(project, task_type_id, episode_id))


class AssetTypesScheduleItemsView(EntityScheduleItemsView):
    build = services.asset_types_schedule_items


class EpisodesScheduleItemsView(EntityScheduleItemsView):
    build = services.episodes_schedule_items


class SequencesScheduleItemsView(EntityScheduleItemsView):
    build = services.sequences_schedule_items


class EditsScheduleItemsView(EntityScheduleItemsView):
    build = services.edits_schedule_items


class ScheduleVersionTaskLinksView(KitsuView):
    def get(self, request, production_schedule_version_id):
        version = get_or_404(ProductionScheduleVersion, production_schedule_version_id)
        role = check_project_access(request.user, version.project_id)
        require(role not in (CLIENT, VENDOR))
        task_type_id = _optional_id(request.query_params.get("task_type_id"), "task_type_id")
        rows = services.schedule_version_task_links(
            version, task_type_id, relations=query_flag(request, "relations")
        )
        return self.respond(rows)


# --- day offs ------------------------------------------------------------------------


class ProjectDayOffsView(ProjectView):
    def get(self, request, project_id):
        project = self.project(project_id)
        role = check_project_access(request.user, project.pk)
        require(role not in (CLIENT, VENDOR))
        start = request.query_params.get("start_date")
        end = request.query_params.get("end_date")
        start = parse_date(start, "start_date") if start else None
        end = parse_date(end, "end_date") if end else None
        full = role in (ADMIN, MANAGER)
        return self.respond(services.team_day_offs(project, request.user, start, end, full))


# --- budgets -------------------------------------------------------------------------


def _budget_values(body, creating):
    """Checked budget entry columns of a body (only the keys given on update)."""
    values = {}
    if creating or "department_id" in body:
        department_id = body.get("department_id")
        if not department_id:
            raise WrongParameter("The field department_id is required.")
        department = Department.objects.filter(pk=_id(department_id)).first()
        if department is None:
            raise WrongParameter("Department not found.")
        values["department_id"] = department.pk
    if "person_id" in body:
        person_id = _optional_id(body.get("person_id"), "person_id")
        if person_id is not None and not Person.objects.filter(pk=person_id).exists():
            raise WrongParameter("Person not found.")
        values["person_id"] = person_id
    if creating or "start_date" in body:
        start = body.get("start_date")
        if not start:
            raise WrongParameter("The field start_date is required.")
        values["start_date"] = parse_date(start, "start_date")
    for name in ("months_duration",):
        if creating or name in body:
            number = _int(body, name, minimum=0)
            if number is None:
                raise WrongParameter(f"The field {name} is required.")
            values[name] = number
    if creating or "daily_salary" in body:
        salary = body.get("daily_salary")
        if isinstance(salary, bool) or not isinstance(salary, (int, float)):
            raise WrongParameter("The field daily_salary must be a number.")
        values["daily_salary"] = float(salary)
    for name in ("position", "seniority"):
        if name in body and body[name] is not None:
            values[name] = body[name]
    if "exceptions" in body and not creating:
        with production_errors():
            values["exceptions"] = services.clean_budget_exceptions(body["exceptions"])
    return values


class BudgetsView(ProjectView):
    def get(self, request, project_id):
        project = self.project(project_id)
        check_manager_access(request.user, project.pk)
        return self.respond(
            list(Budget.objects.filter(project=project).values(*services.BUDGET_KEYS))
        )

    def post(self, request, project_id):
        project = self.project(project_id)
        check_manager_access(request.user, project.pk)
        body = self.body()
        (name,) = self.required(body, "name")
        currency = body.get("currency", "USD")
        if not isinstance(name, str) or (currency is not None and not isinstance(currency, str)):
            raise WrongParameter("name and currency must be strings.")
        if currency is not None and len(currency) > 3:
            raise WrongParameter("currency must be a three-letter code.")
        # Zou answers this creation with 200.
        return self.respond(services.create_budget(project, name, currency))


class BudgetRouteView(ProjectView):
    def budget(self, request, project_id, budget_id):
        project = self.project(project_id)
        budget_id = _id(budget_id)
        check_manager_access(request.user, project.pk)
        budget = Budget.objects.filter(pk=budget_id).first()
        if budget is None or budget.project_id != project.pk:
            raise NotFound()
        return budget


class BudgetView(BudgetRouteView):
    def get(self, request, project_id, budget_id):
        budget = self.budget(request, project_id, budget_id)
        return self.respond(serialize_instance(budget, relations=False))

    def put(self, request, project_id, budget_id):
        budget = self.budget(request, project_id, budget_id)
        body = self.body()
        name, currency = body.get("name"), body.get("currency")
        for value in (name, currency):
            if value is not None and not isinstance(value, str):
                raise WrongParameter("name and currency must be strings.")
        if currency is not None and len(currency) > 3:
            raise WrongParameter("currency must be a three-letter code.")
        return self.respond(services.update_budget(budget, name, currency))

    def delete(self, request, project_id, budget_id):
        budget = self.budget(request, project_id, budget_id)
        services.delete_budget(budget)
        return self.respond(None, status=204)


class BudgetEntriesView(BudgetRouteView):
    def get(self, request, project_id, budget_id):
        budget = self.budget(request, project_id, budget_id)
        rows = BudgetEntry.objects.filter(budget=budget).values(*services.BUDGET_ENTRY_KEYS)
        return self.respond(list(rows))

    def post(self, request, project_id, budget_id):
        budget = self.budget(request, project_id, budget_id)
        values = _budget_values(self.body(), creating=True)
        return self.respond(_save_entry(budget, values))


def _save_entry(budget, values, entry=None):
    try:
        return services.save_budget_entry(budget, values, entry)
    except CrudError as error:
        raise WrongParameter(error.payload["message"]) from None


class BudgetEntryView(BudgetRouteView):
    def entry(self, budget, entry_id):
        entry = get_or_404(BudgetEntry, entry_id)
        if entry.budget_id != budget.pk:
            raise NotFound()
        return entry

    def get(self, request, project_id, budget_id, entry_id):
        budget = self.budget(request, project_id, budget_id)
        return self.respond(serialize_instance(self.entry(budget, entry_id), relations=False))

    def put(self, request, project_id, budget_id, entry_id):
        budget = self.budget(request, project_id, budget_id)
        entry = self.entry(budget, entry_id)
        values = _budget_values(self.body(), creating=False)
        return self.respond(_save_entry(budget, values, entry))

    def delete(self, request, project_id, budget_id, entry_id):
        budget = self.budget(request, project_id, budget_id)
        services.delete_budget_entry(budget, self.entry(budget, entry_id))
        return self.respond(None, status=204)


# --- project templates ---------------------------------------------------------------


def _template_error(message, status=400):
    """Zou's template routes answer errors with a bare ``{"message"}`` body."""
    return ApiError({"message": message}, status)


class TemplateView(KitsuView):
    def template(self, template_id):
        template = ProjectTemplate.objects.filter(pk=_id(template_id)).first()
        if template is None:
            raise _template_error("Project template not found", 404)
        return template

    def read(self, request, template_id):
        require_manager(request.user)
        return self.template(template_id)

    def write(self, request, template_id):
        require_admin(request.user)
        return self.template(template_id)


class TemplateLinksView(TemplateView):
    """GET the rows of a template (managers), POST one more (admins)."""

    body_key = None
    rows = None

    def get(self, request, project_template_id):
        template = self.read(request, project_template_id)
        return self.respond(type(self).rows(template))

    def post(self, request, project_template_id):
        template = self.write(request, project_template_id)
        body = self.body()
        target_id = body.get(self.body_key)
        if not isinstance(target_id, str) or not target_id:
            raise _template_error(f"{self.body_key} is required and must be a valid UUID")
        target_id = _id(target_id)
        try:
            result = self.add(template, target_id, body)
        except services.ProductionError as error:
            raise _template_error(str(error)) from None
        return self.respond(result, status=201)


class TemplateLinkView(TemplateView):
    remove = None

    def delete(self, request, project_template_id, item_id):
        template = self.write(request, project_template_id)
        type(self).remove(template, _id(item_id))
        return self.respond(None, status=204)


class TemplateTaskTypesView(TemplateLinksView):
    body_key = "task_type_id"
    rows = services.template_task_types

    def add(self, template, target_id, body):
        return services.add_template_task_type(
            template,
            target_id,
            priority=_int(body, "priority"),
            bitrates=_bitrates(body),
            is_client_visible=_bool(body, "is_client_visible"),
        )


class TemplateTaskStatusesView(TemplateLinksView):
    body_key = "task_status_id"
    rows = services.template_task_statuses

    def add(self, template, target_id, body):
        extra = {}
        if "is_client_allowed" in body:
            extra["is_client_allowed"] = _bool(body, "is_client_allowed")
        return services.add_template_task_status(
            template,
            target_id,
            priority=_int(body, "priority"),
            roles_for_board=_string_list(body, "roles_for_board") or None,
            **extra,
        )


class TemplateAssetTypesView(TemplateLinksView):
    body_key = "asset_type_id"
    rows = services.template_asset_types

    def add(self, template, target_id, body):
        return services.add_template_asset_type(template, target_id)


class TemplateStatusAutomationsView(TemplateLinksView):
    body_key = "status_automation_id"
    rows = services.template_status_automations

    def add(self, template, target_id, body):
        return services.add_template_status_automation(template, target_id)


class TemplateBackgroundsView(TemplateLinksView):
    body_key = "preview_background_file_id"
    rows = services.template_preview_background_files

    def add(self, template, target_id, body):
        return services.add_template_preview_background_file(template, target_id)


class TemplateTaskTypeView(TemplateLinkView):
    remove = services.remove_template_task_type


class TemplateTaskStatusView(TemplateLinkView):
    remove = services.remove_template_task_status


class TemplateAssetTypeView(TemplateLinkView):
    remove = services.remove_template_asset_type


class TemplateStatusAutomationView(TemplateLinkView):
    remove = services.remove_template_status_automation


class TemplateBackgroundView(TemplateLinkView):
    remove = services.remove_template_preview_background_file


class TemplateDefaultBackgroundView(TemplateView):
    def put(self, request, project_template_id):
        template = self.write(request, project_template_id)
        background_id = _optional_id(
            self.body().get("default_preview_background_file_id"),
            "default_preview_background_file_id",
        )
        try:
            result = services.set_template_default_background(template, background_id)
        except services.ProductionError as error:
            raise _template_error(str(error)) from None
        return self.respond(result)


class TemplateDescriptorsView(TemplateView):
    def put(self, request, project_template_id):
        template = self.write(request, project_template_id)
        data = request.data
        descriptors = data if isinstance(data, list) else self.body().get("metadata_descriptors")
        try:
            result = services.set_template_descriptors(template, descriptors)
        except services.ProductionError as error:
            raise _template_error(str(error)) from None
        return self.respond(result)


class TemplateFromProjectView(KitsuView):
    def post(self, request, project_id):
        require_admin(request.user)
        project = Project.objects.filter(pk=_id(project_id)).first()
        if project is None:
            raise _template_error("Project not found", 404)
        body = self.body()
        name = body.get("name")
        if not isinstance(name, str) or not name:
            raise WrongParameter("The field name is required.")
        description = body.get("description")
        try:
            result = services.create_template_from_project(project, name, description)
        except services.ProductionError as error:
            raise _template_error(str(error)) from None
        return self.respond(result, status=201)


class ApplyTemplateView(KitsuView):
    def post(self, request, project_id, project_template_id):
        require_admin(request.user)
        project = Project.objects.filter(pk=_id(project_id)).first()
        if project is None:
            raise _template_error("Project not found", 404)
        template = ProjectTemplate.objects.filter(pk=_id(project_template_id)).first()
        if template is None:
            raise _template_error("Project template not found", 404)
        return self.respond(services.apply_template(project, template))


class TemplateReorderView(TemplateView):
    body_key = None

    def post(self, request, project_template_id):
        template = self.write(request, project_template_id)
        ids = self.body().get(self.body_key)
        if not isinstance(ids, list):
            raise WrongParameter(f"{self.body_key} must be a list.")
        ids = [_id(item) for item in ids]
        try:
            rows = [
                self.add(template, item, priority) for priority, item in enumerate(ids, start=1)
            ]
        except services.ProductionError as error:
            raise _template_error(str(error)) from None
        return self.respond(rows)


class TemplateTaskTypesReorderView(TemplateReorderView):
    body_key = "task_type_ids"

    def add(self, template, item, priority):
        return services.add_template_task_type(template, item, priority=priority)


class TemplateTaskStatusesReorderView(TemplateReorderView):
    body_key = "task_status_ids"

    def add(self, template, item, priority):
        return services.add_template_task_status(template, item, priority=priority)


P = "data/projects/{project_id}"
T = "data/project-templates/{project_template_id}"

urlpatterns = [
    route("data/projects/open", OpenProjectsView.as_view()),
    route("data/projects/all", AllProjectsView.as_view()),
    route(f"{P}/team", TeamView.as_view()),
    route(f"{P}/team/{{person_id}}", TeamMemberView.as_view()),
    route(f"{P}/preview-account", PreviewAccountView.as_view()),
    route(f"{P}/settings/asset-types", AssetTypeSettingsView.as_view()),
    route(f"{P}/settings/asset-types/{{item_id}}", AssetTypeSettingView.as_view()),
    route(f"{P}/task-types", TaskTypesView.as_view()),
    route(f"{P}/settings/task-types", TaskTypeSettingsView.as_view()),
    route(f"{P}/settings/task-types/{{item_id}}", TaskTypeSettingView.as_view()),
    route(f"{P}/settings/task-status", TaskStatusSettingsView.as_view()),
    route(f"{P}/settings/task-status/{{item_id}}", TaskStatusSettingView.as_view()),
    route(f"{P}/settings/status-automations", StatusAutomationSettingsView.as_view()),
    route(f"{P}/settings/status-automations/{{item_id}}", StatusAutomationSettingView.as_view()),
    route(f"{P}/settings/preview-background-files", PreviewBackgroundSettingsView.as_view()),
    route(
        f"{P}/settings/preview-background-files/{{item_id}}",
        PreviewBackgroundSettingView.as_view(),
    ),
    route(f"{P}/settings/batch", SettingsBatchView.as_view()),
    route(f"{P}/task-type-softwares", TaskTypeSoftwaresView.as_view()),
    route(f"{P}/task-types/{{task_type_id}}/softwares", TaskTypeSoftwareAddView.as_view()),
    route(
        f"{P}/task-types/{{task_type_id}}/softwares/{{software_id}}",
        TaskTypeSoftwareRemoveView.as_view(),
    ),
    route(f"{P}/metadata-descriptors", DescriptorsView.as_view()),
    route(f"{P}/metadata-descriptors/reorder", DescriptorsReorderView.as_view()),
    route(f"{P}/metadata-descriptors/{{descriptor_id}}", DescriptorView.as_view()),
    route("data/metadata-descriptors/all-projects", AllProjectsDescriptorsView.as_view()),
    route(
        "data/metadata-descriptors/all-projects/{field_name}",
        AllProjectsDescriptorView.as_view(),
    ),
    route(
        "actions/metadata-descriptors/all-projects/reorder",
        AllProjectsDescriptorsReorderView.as_view(),
    ),
    route(f"{P}/milestones", MilestonesView.as_view()),
    route(f"{P}/schedule-items", ScheduleItemsView.as_view()),
    route(f"{P}/schedule-items/task-types", TaskTypeScheduleItemsView.as_view()),
    route(
        f"{P}/schedule-items/{{task_type_id}}/asset-types", AssetTypesScheduleItemsView.as_view()
    ),
    route(f"{P}/schedule-items/{{task_type_id}}/episodes", EpisodesScheduleItemsView.as_view()),
    route(f"{P}/schedule-items/{{task_type_id}}/sequences", SequencesScheduleItemsView.as_view()),
    route(f"{P}/schedule-items/{{task_type_id}}/edits", EditsScheduleItemsView.as_view()),
    route(
        "data/production-schedule-versions/{production_schedule_version_id}/task-links",
        ScheduleVersionTaskLinksView.as_view(),
    ),
    route(f"{P}/day-offs", ProjectDayOffsView.as_view()),
    route(f"{P}/budgets", BudgetsView.as_view()),
    route(f"{P}/budgets/{{budget_id}}", BudgetView.as_view()),
    route(f"{P}/budgets/{{budget_id}}/entries", BudgetEntriesView.as_view()),
    route(f"{P}/budgets/{{budget_id}}/entries/{{entry_id}}", BudgetEntryView.as_view()),
    route(f"{T}/task-types", TemplateTaskTypesView.as_view()),
    route(f"{T}/task-types/{{item_id}}", TemplateTaskTypeView.as_view()),
    route(f"{T}/task-statuses", TemplateTaskStatusesView.as_view()),
    route(f"{T}/task-statuses/{{item_id}}", TemplateTaskStatusView.as_view()),
    route(f"{T}/asset-types", TemplateAssetTypesView.as_view()),
    route(f"{T}/asset-types/{{item_id}}", TemplateAssetTypeView.as_view()),
    route(f"{T}/status-automations", TemplateStatusAutomationsView.as_view()),
    route(f"{T}/status-automations/{{item_id}}", TemplateStatusAutomationView.as_view()),
    route(f"{T}/preview-background-files", TemplateBackgroundsView.as_view()),
    route(f"{T}/preview-background-files/{{item_id}}", TemplateBackgroundView.as_view()),
    route(f"{T}/default-preview-background-file", TemplateDefaultBackgroundView.as_view()),
    route(f"{T}/metadata-descriptors", TemplateDescriptorsView.as_view()),
    route("data/project-templates/from-project/{project_id}", TemplateFromProjectView.as_view()),
    route(
        "data/projects/{project_id}/apply-template/{project_template_id}",
        ApplyTemplateView.as_view(),
    ),
    route(
        "actions/project-templates/{project_template_id}/task-types/reorder",
        TemplateTaskTypesReorderView.as_view(),
    ),
    route(
        "actions/project-templates/{project_template_id}/task-statuses/reorder",
        TemplateTaskStatusesReorderView.as_view(),
    ),
]
