"""Working files, output files and the file tree that names them.

A project's ``file_tree`` (JSON) tells pipeline tools where files go. It has
one section per mode (``working``, ``output``…), each with a
``mountpoint``, a ``root``, and ``folder_path`` and ``file_name`` templates
keyed by the kind of entity (``shot``, ``asset``, ``sequence``,
``episode``, ``scene``, ``edit``, ``concept``, and ``instance`` for asset
instances), plus an optional ``style`` (``lowercase`` or ``uppercase``)::

    {"working": {"mountpoint": "/studio", "root": "productions",
                 "folder_path": {"shot": "<Project>/shots/<Sequence>/<Shot>/<TaskType>",
                                 "style": "lowercase"},
                 "file_name": {"shot": "<Project>_<Shot>_<TaskType>_<Name>_v<Revision>"}}}

Rules used to render a template (the reference leaves them open, these
are the simplest consistent ones):

- ``<Token>`` is replaced by the ``name`` of the object it names, and
  ``<Token.field>`` by another of its fields (``<Project.code>``,
  ``<TaskType.short_name>``). Tokens: Project, Episode, Sequence, Shot,
  Scene, Edit, Concept, Asset, AssetType, Task, TaskType, Software,
  OutputType, Instance, TempEntity (the shot or scene of an asset
  instance), Name, Representation and Revision.
- ``<Revision>`` is the revision number zero-padded to the project's
  ``revision_padding`` digits (3 when the project sets none).
- A token without a value renders empty; empty folder levels are dropped,
  so one template serves TV shows (with ``<Episode>``) and features.
- Spaces become underscores, then the style applies.
- Templates are written with ``/``; the requested separator replaces it,
  and the folder path starts with ``mountpoint`` and ``root``.
- A project without a file tree uses ``DEFAULT_FILE_TREE``.

Revisions: a new working file takes the next revision of its task and
name (last + 1, starting at 1) unless one is given; a new output file the
next revision of its (entity or asset instance + temporal entity, output
type, task type, name, representation) unless one is given. Giving a
revision that already exists is refused.
"""

import logging
import re

from django.db import IntegrityError, transaction
from django.db.models import Max

from kitsu_backend.api import events
from kitsu_backend.api.models import utcnow
from kitsu_backend.api.serialization import serialize_instance, serialize_rows
from productions.models import (
    EPISODE,
    RESERVED_ENTITY_TYPE_NAMES,
    SCENE,
    SEQUENCE,
    SHOT,
    Entity,
    EntityType,
)
from tasks.media import storage
from tasks.models import FileStatus, OutputFile, Task, TaskType, WorkingFile

logger = logging.getLogger(__name__)

WORKING_PREFIX = "working"
DEFAULT_FILE_STATUS = {"name": "Created", "color": "#999999"}
DEFAULT_REVISION_PADDING = 3

_ENTITY_KINDS = ("shot", "asset", "sequence", "episode", "scene", "edit", "concept")

DEFAULT_FILE_TREE = {
    "working": {
        "mountpoint": "/productions",
        "root": "",
        "folder_path": {
            "shot": "<Project>/shots/<Episode>/<Sequence>/<Shot>/<TaskType>",
            "sequence": "<Project>/sequences/<Episode>/<Sequence>/<TaskType>",
            "episode": "<Project>/episodes/<Episode>/<TaskType>",
            "scene": "<Project>/scenes/<Sequence>/<Scene>/<TaskType>",
            "edit": "<Project>/edits/<Episode>/<Edit>/<TaskType>",
            "asset": "<Project>/assets/<AssetType>/<Asset>/<TaskType>",
            "concept": "<Project>/concepts/<Concept>/<TaskType>",
            "style": "lowercase",
        },
        "file_name": {
            "shot": "<Project>_<Sequence>_<Shot>_<TaskType>_<Name>_v<Revision>",
            "sequence": "<Project>_<Sequence>_<TaskType>_<Name>_v<Revision>",
            "episode": "<Project>_<Episode>_<TaskType>_<Name>_v<Revision>",
            "scene": "<Project>_<Sequence>_<Scene>_<TaskType>_<Name>_v<Revision>",
            "edit": "<Project>_<Edit>_<TaskType>_<Name>_v<Revision>",
            "asset": "<Project>_<AssetType>_<Asset>_<TaskType>_<Name>_v<Revision>",
            "concept": "<Project>_<Concept>_<TaskType>_<Name>_v<Revision>",
            "style": "lowercase",
        },
    },
    "output": {
        "mountpoint": "/productions",
        "root": "",
        "folder_path": {
            "shot": "<Project>/shots/<Episode>/<Sequence>/<Shot>/<TaskType>/<OutputType>",
            "sequence": "<Project>/sequences/<Episode>/<Sequence>/<TaskType>/<OutputType>",
            "episode": "<Project>/episodes/<Episode>/<TaskType>/<OutputType>",
            "scene": "<Project>/scenes/<Sequence>/<Scene>/<TaskType>/<OutputType>",
            "edit": "<Project>/edits/<Episode>/<Edit>/<TaskType>/<OutputType>",
            "asset": "<Project>/assets/<AssetType>/<Asset>/<TaskType>/<OutputType>",
            "concept": "<Project>/concepts/<Concept>/<TaskType>/<OutputType>",
            "instance": "<Project>/instances/<TempEntity>/<AssetType>/<Asset>/<Instance>/"
            "<TaskType>/<OutputType>",
            "style": "lowercase",
        },
        "file_name": {
            "shot": "<Project>_<Sequence>_<Shot>_<OutputType>_<Name>_v<Revision>",
            "sequence": "<Project>_<Sequence>_<OutputType>_<Name>_v<Revision>",
            "episode": "<Project>_<Episode>_<OutputType>_<Name>_v<Revision>",
            "scene": "<Project>_<Sequence>_<Scene>_<OutputType>_<Name>_v<Revision>",
            "edit": "<Project>_<Edit>_<OutputType>_<Name>_v<Revision>",
            "asset": "<Project>_<AssetType>_<Asset>_<OutputType>_<Name>_v<Revision>",
            "concept": "<Project>_<Concept>_<OutputType>_<Name>_v<Revision>",
            "instance": "<Project>_<TempEntity>_<Asset>_<Instance>_<OutputType>_<Name>_v<Revision>",
            "style": "lowercase",
        },
    },
}

_TOKEN = re.compile(r"<(\w+)(?:\.(\w+))?>")


class FileTreeError(Exception):
    """The file tree cannot render what was asked (missing mode or template)."""


# --- rendering -----------------------------------------------------------------


def file_tree(project):
    tree = project.file_tree
    return tree if isinstance(tree, dict) and tree else DEFAULT_FILE_TREE


def entity_kind(entity):
    """``shot``, ``sequence``… for reserved kinds, ``asset`` for any asset type."""
    name = entity.entity_type.name
    return name.lower() if name in RESERVED_ENTITY_TYPE_NAMES else "asset"


def _field(obj, field):
    if obj is None:
        return ""
    if isinstance(obj, dict):
        value = obj.get(field)
    else:
        value = getattr(obj, field, None)
    return "" if value is None else str(value)


def _render(template, values, sep, style):
    def replace(match):
        token, field = match.group(1), match.group(2)
        value = values.get(token)
        if isinstance(value, (str, int)):
            return str(value)
        return _field(value, field or "name")

    text = _TOKEN.sub(replace, template).replace(" ", "_")
    if style == "lowercase":
        text = text.lower()
    elif style == "uppercase":
        text = text.upper()
    parts = [part for part in text.split("/") if part]
    return sep.join(parts)


def _section(tree, mode):
    section = tree.get(mode)
    if not isinstance(section, dict):
        raise FileTreeError(f"The file tree has no {mode!r} mode.")
    return section


def _template(section, key, kind, mode):
    templates = section.get(key)
    if not isinstance(templates, dict) or not isinstance(templates.get(kind), str):
        raise FileTreeError(f"The file tree has no {key} template for {kind} in {mode!r} mode.")
    return templates[kind], templates.get("style")


def _root(section, sep):
    parts = []
    for name in ("mountpoint", "root"):
        value = section.get(name)
        if value:
            parts.extend(part for part in str(value).replace("\\", "/").split("/") if part)
    root = sep.join(parts)
    mountpoint = str(section.get("mountpoint") or "")
    if mountpoint.startswith(("/", "\\")):
        root = sep + root
    return root


def _entity_values(entity):
    """Token values for ``entity`` and its parents (sequence, episode, asset type)."""
    values = {"Project": entity.project}
    kind = entity_kind(entity)
    # The entity, its parent and grandparent (shot, sequence, episode).
    chain = [entity]
    while len(chain) < 3 and chain[-1].parent_id:
        chain.append(chain[-1].parent)
    for item in chain:
        type_name = item.entity_type.name
        if type_name in RESERVED_ENTITY_TYPE_NAMES:
            values.setdefault(type_name, item)
    if kind == "asset":
        values["Asset"] = entity
        values["AssetType"] = entity.entity_type
        if entity.source_id:
            values.setdefault(EPISODE, entity.source)
    return values


def _revision_text(project, revision):
    padding = project.revision_padding or DEFAULT_REVISION_PADDING
    return str(int(revision or 0)).zfill(padding)


def build_path(project, mode, kind, values, sep="/"):
    """``(folder, file_name)`` rendered from the project's tree for ``kind``."""
    tree = file_tree(project)
    section = _section(tree, mode)
    folder_template, folder_style = _template(section, "folder_path", kind, mode)
    name_template, name_style = _template(section, "file_name", kind, mode)
    folder = _render(folder_template, values, sep, folder_style)
    root = _root(section, sep)
    if root:
        folder = f"{root}{sep}{folder}" if folder else root
    return folder, _render(name_template, values, sep, name_style)


def working_file_path(task, mode="working", software=None, name="main", revision=1, sep="/"):
    """``(folder, file_name)`` of a working file of ``task`` (without extension)."""
    entity = task.entity
    values = _entity_values(entity)
    values.update(
        {
            "Task": task,
            "TaskType": task.task_type,
            "Software": software,
            "Name": name or "",
            "Revision": _revision_text(task.project, revision),
        }
    )
    return build_path(task.project, mode, entity_kind(entity), values, sep)


def output_file_path(
    entity,
    output_type,
    task_type,
    mode="output",
    name="main",
    representation="",
    revision=1,
    sep="/",
    asset_instance=None,
    temporal_entity=None,
):
    """``(folder, file_name)`` of an output file of an entity or of an asset
    instance within ``temporal_entity`` (then the ``instance`` templates)."""
    if asset_instance is not None:
        values = _entity_values(asset_instance.asset)
        values.update(_entity_values(temporal_entity))
        values["Asset"] = asset_instance.asset
        values["AssetType"] = asset_instance.asset.entity_type
        values["Instance"] = {
            "name": asset_instance.name or str(asset_instance.number or ""),
            "number": asset_instance.number,
        }
        values["TempEntity"] = temporal_entity
        project = temporal_entity.project
        kind = "instance"
    else:
        values = _entity_values(entity)
        project = entity.project
        kind = entity_kind(entity)
    values.update(
        {
            "TaskType": task_type,
            "OutputType": output_type,
            "Name": name or "",
            "Representation": representation or "",
            "Revision": _revision_text(project, revision),
        }
    )
    return build_path(project, mode, kind, values, sep)


# --- working files ---------------------------------------------------------------


def working_file_rows(queryset):
    return serialize_rows(WorkingFile, queryset.order_by("name", "-revision", "id"))


def last_working_revisions(task):
    """``{name: working file row}`` of the highest revision of each name (one query)."""
    result = {}
    for row in working_file_rows(WorkingFile.objects.filter(task_id=task.pk)):
        result.setdefault(row["name"], row)
    return result


def next_working_revision(task, name):
    last = WorkingFile.objects.filter(task_id=task.pk, name=name).aggregate(value=Max("revision"))
    return (last["value"] or 0) + 1


def create_working_file(
    task,
    person,
    name="main",
    mode="working",
    software=None,
    comment="",
    revision=0,
    sep="/",
    description=None,
):
    """A new working file revision of ``task`` with its path; ``working-file:new``.

    The task row is locked while the revision is chosen, so that two
    publishes of the same task get distinct revisions.
    """
    with transaction.atomic():
        Task.objects.select_for_update().filter(pk=task.pk).first()
        if not revision:
            revision = next_working_revision(task, name)
        elif WorkingFile.objects.filter(task_id=task.pk, name=name, revision=revision).exists():
            raise FileTreeError(f"Revision {revision} of {name!r} already exists for this task.")
        folder, file_name = working_file_path(task, mode, software, name, revision, sep)
        try:
            with transaction.atomic():
                working_file = WorkingFile.objects.create(
                    name=name,
                    comment=comment,
                    description=description,
                    revision=revision,
                    path=f"{folder}{sep}{file_name}" if folder else file_name,
                    task=task,
                    entity_id=task.entity_id,
                    person=person,
                    software=software,
                )
        except IntegrityError:
            raise FileTreeError(
                f"Revision {revision} of {name!r} already exists for this task."
            ) from None
        events.emit(
            "working-file:new",
            {"working_file_id": working_file.pk, "task_id": task.pk},
            project_id=task.project_id,
        )
    return working_file


def update_working_file(working_file, project_id, **values):
    with transaction.atomic():
        for name, value in values.items():
            setattr(working_file, name, value)
        working_file.updated_at = utcnow()
        working_file.save()
        events.emit(
            "working-file:update", {"working_file_id": working_file.pk}, project_id=project_id
        )
    return working_file


def working_file_key(working_file_id):
    return storage.key(storage.FILES, WORKING_PREFIX, working_file_id)


def store_working_file(working_file, upload, project_id):
    """Save the uploaded binary of ``working_file`` and record its size."""
    storage.save(working_file_key(working_file.pk), upload)
    # The size column is a 32-bit integer, as in Zou: larger files keep no size.
    size = upload.size if upload.size is not None and upload.size < 2**31 else None
    return update_working_file(working_file, project_id, size=size)


def has_stored_file(working_file):
    return storage.exists(working_file_key(working_file.pk))


def open_working_file(working_file):
    return storage.open_file(working_file_key(working_file.pk))


# --- output files ------------------------------------------------------------------


def output_file_rows(queryset):
    return serialize_rows(
        OutputFile, queryset.order_by("output_type_id", "name", "-revision", "id")
    )


def filter_output_files(queryset, filters):
    """Exact filters of the output file listings (output type, task type, name…)."""
    for key in (
        "output_type_id",
        "task_type_id",
        "file_status_id",
        "temporal_entity_id",
        "name",
        "representation",
    ):
        value = filters.get(key)
        if value is not None and value != "":
            queryset = queryset.filter(**{key: value})
    return queryset


def last_output_revisions(queryset):
    """The highest revision of each output (same name, type, task type,
    representation and temporal entity), in one query."""
    seen, result = set(), []
    for row in output_file_rows(queryset.order_by()):
        identity = (
            row["output_type_id"],
            row["task_type_id"],
            row["name"],
            row["representation"],
            row["temporal_entity_id"],
        )
        if identity in seen:
            continue
        seen.add(identity)
        result.append(row)
    return result


def _output_scope(entity=None, asset_instance=None, temporal_entity=None):
    if asset_instance is not None:
        return OutputFile.objects.filter(
            asset_instance_id=asset_instance.pk, temporal_entity_id=temporal_entity.pk
        )
    return OutputFile.objects.filter(entity_id=entity.pk, asset_instance__isnull=True)


def next_output_revision(
    output_type,
    task_type,
    name="main",
    representation=None,
    entity=None,
    asset_instance=None,
    temporal_entity=None,
):
    """Last revision + 1 of the output, 1 when there is none.

    Without ``representation`` every representation counts, so the number
    is free for any of them.
    """
    queryset = _output_scope(entity, asset_instance, temporal_entity).filter(
        output_type_id=output_type.pk, task_type_id=task_type.pk, name=name
    )
    if representation is not None:
        queryset = queryset.filter(representation=representation)
    return (queryset.aggregate(value=Max("revision"))["value"] or 0) + 1


def default_file_status():
    status, _created = FileStatus.objects.get_or_create(
        name=DEFAULT_FILE_STATUS["name"], defaults={"color": DEFAULT_FILE_STATUS["color"]}
    )
    return status


def create_output_file(
    output_type,
    task_type,
    person,
    entity=None,
    asset_instance=None,
    temporal_entity=None,
    name="main",
    mode="output",
    representation="",
    revision=0,
    nb_elements=1,
    comment="",
    sep="/",
    working_file=None,
    file_status=None,
    extension=None,
):
    """A new output file with its path and revision; ``output-file:new``.

    The entity (or the asset instance) row is locked while the revision is
    chosen, so that concurrent publishes get distinct revisions.
    """
    owner = asset_instance or entity
    project_id = (temporal_entity or entity).project_id
    with transaction.atomic():
        type(owner).objects.select_for_update().filter(pk=owner.pk).first()
        if not revision:
            revision = next_output_revision(
                output_type,
                task_type,
                name,
                representation,
                entity=entity,
                asset_instance=asset_instance,
                temporal_entity=temporal_entity,
            )
        elif (
            _output_scope(entity, asset_instance, temporal_entity)
            .filter(
                output_type_id=output_type.pk,
                task_type_id=task_type.pk,
                name=name,
                representation=representation,
                revision=revision,
            )
            .exists()
        ):
            # The unique key cannot tell: its empty columns never collide.
            raise FileTreeError(f"Revision {revision} of this output already exists.")
        folder, file_name = output_file_path(
            entity,
            output_type,
            task_type,
            mode,
            name,
            representation,
            revision,
            sep,
            asset_instance=asset_instance,
            temporal_entity=temporal_entity,
        )
        try:
            with transaction.atomic():
                output_file = OutputFile.objects.create(
                    name=name,
                    comment=comment,
                    revision=revision,
                    representation=representation,
                    nb_elements=nb_elements,
                    extension=extension,
                    path=f"{folder}{sep}{file_name}" if folder else file_name,
                    entity=None if asset_instance is not None else entity,
                    asset_instance=asset_instance,
                    temporal_entity=temporal_entity,
                    output_type=output_type,
                    task_type=task_type,
                    person=person,
                    source_file=working_file,
                    file_status=file_status or default_file_status(),
                )
        except IntegrityError:
            raise FileTreeError(f"Revision {revision} of this output already exists.") from None
        events.emit("output-file:new", {"output_file_id": output_file.pk}, project_id=project_id)
    return output_file


def output_types_of(queryset):
    from tasks.models import OutputType

    ids = queryset.order_by().values("output_type_id")
    return serialize_rows(OutputType, OutputType.objects.filter(pk__in=ids).order_by("name"))


# --- guessing from a path -------------------------------------------------------------


def _template_regex(template, root, sep):
    """A regex matching a rendered folder template, one named group per token."""
    escaped_sep = re.escape(sep)
    pattern, groups = f"^{re.escape(root)}", []
    for part in template.split("/"):
        if not part:
            continue
        piece, position = "", 0
        for match in _TOKEN.finditer(part):
            piece += re.escape(part[position : match.start()])
            token = match.group(1)
            if token in groups:
                piece += f"(?P={token})"
            else:
                groups.append(token)
                piece += f"(?P<{token}>[^{escaped_sep}]+)"
            position = match.end()
        piece += re.escape(part[position:])
        # A level made only of tokens may be absent (an empty episode).
        optional = "?" if _TOKEN.sub("", part) == "" else ""
        pattern += f"(?:{escaped_sep}{piece}){optional}"
    return re.compile(f"{pattern}(?:{escaped_sep}|$)", re.IGNORECASE)


def guess_from_path(project, file_path, sep="/", mode="working"):
    """Entities and task types whose folder template matches ``file_path``.

    Each template of ``mode`` is turned into a pattern; the path matches
    when it starts with a rendered folder. Names are then looked up in the
    project (case-insensitively, as templates are often lowercased). The
    answer lists every match as ``{"project_id", "type", "entity_id",
    "task_type_id", "task_id"}``, the most specific kinds first.
    """
    tree = file_tree(project)
    section = _section(tree, mode)
    templates = section.get("folder_path") or {}
    path = file_path.replace("\\", "/") if sep == "/" else file_path
    root = _root(section, sep)
    if not root:
        # Relative templates: match the path from its first folder.
        path = sep + path.lstrip(sep)
    matches = []
    for kind in ("shot", "scene", "sequence", "episode", "edit", "asset", "concept"):
        template = templates.get(kind)
        if not isinstance(template, str):
            continue
        found = _template_regex(template, root, sep).match(path)
        if found is None:
            continue
        entity = _entity_from_names(project, kind, found.groupdict())
        if entity is None:
            continue
        task_type_name = found.groupdict().get("TaskType")
        task_type = (
            TaskType.objects.filter(name__iexact=task_type_name.replace("_", " ")).first()
            or TaskType.objects.filter(name__iexact=task_type_name).first()
            if task_type_name
            else None
        )
        task = (
            Task.objects.filter(entity=entity, task_type=task_type).first() if task_type else None
        )
        matches.append(
            {
                "project_id": project.pk,
                "type": entity_kind(entity).capitalize(),
                "entity_id": entity.pk,
                "task_type_id": task_type.pk if task_type else None,
                "task_id": task.pk if task else None,
            }
        )
    return matches


def _by_name(queryset, name):
    if name is None:
        return queryset
    variants = {name, name.replace("_", " ")}
    for variant in variants:
        found = queryset.filter(name__iexact=variant)
        if found.exists():
            return found
    return queryset.none()


def _entity_from_names(project, kind, names):
    entities = Entity.objects.filter(project=project).select_related("entity_type")
    if kind == "asset":
        queryset = _by_name(
            entities.exclude(entity_type__name__in=RESERVED_ENTITY_TYPE_NAMES), names.get("Asset")
        )
        if names.get("AssetType"):
            asset_types = _by_name(EntityType.objects.all(), names["AssetType"])
            queryset = queryset.filter(entity_type__in=asset_types)
        return queryset.first()
    type_name = {
        "shot": SHOT,
        "scene": SCENE,
        "sequence": SEQUENCE,
        "episode": EPISODE,
        "edit": "Edit",
        "concept": "Concept",
    }[kind]
    queryset = _by_name(entities.filter(entity_type__name=type_name), names.get(type_name))
    if kind in ("shot", "scene") and names.get(SEQUENCE):
        queryset = queryset.filter(
            parent__in=_by_name(entities.filter(entity_type__name=SEQUENCE), names[SEQUENCE])
        )
    return queryset.first()


def serialize_file(instance):
    return serialize_instance(instance, relations=True)
