"""Routes of playlists: listings, entries, movie builds, zip download, share links,
client notifications, and the generic ``/data/playlists`` resource.

Who may do what: team members read playlists (clients only those made for
them, vendors none); supervisors and managers create them, supervisors
change only their own; managers build movies, share and notify clients.
"""

import tempfile

from django.http import FileResponse
from django.utils.text import slugify

from kitsu_backend.api import permissions as roles
from kitsu_backend.api.crud import CrudResource, register
from kitsu_backend.api.exceptions import ApiError, Conflict, CrudError, NotFound, WrongParameter
from kitsu_backend.api.routing import route
from kitsu_backend.api.serialization import serialize_instance, serialize_rows
from kitsu_backend.api.views import (
    KitsuView,
    get_or_404,
    parse_datetime,
    parse_int,
    parse_uuid,
    query_flag,
)
from productions.access import (
    check_manager_access,
    check_supervisor_access,
)
from productions.models import EPISODE, Entity, Project

# Importing the build module registers its Celery job with the worker.
from tasks import playlist_builds, playlists, sharing
from tasks.api.views import check_entity_read, paginated
from tasks.media.serving import AnyAcceptNegotiation, stored_file_response
from tasks.models import BuildJob, Playlist, PlaylistShareLink

# --- loading ------------------------------------------------------------------------


def load_playlist(playlist_id):
    return get_or_404(Playlist.objects.select_related("project"), playlist_id)


def load_project(project_id):
    return get_or_404(Project, project_id)


def load_build_job(playlist, build_job_id):
    job = get_or_404(BuildJob.objects.select_related("playlist"), build_job_id)
    if job.playlist_id != playlist.pk:
        raise NotFound()
    return job


def optional_uuid(value):
    if value in (None, ""):
        return None
    return parse_uuid(value)


def entity_couples(items):
    """``[(entity_id, preview_file_id or None)]`` from a list of entry objects."""
    if not isinstance(items, list) or not items:
        raise WrongParameter("entities must be a non-empty list.")
    couples = []
    for item in items:
        if not isinstance(item, dict) or not item.get("entity_id"):
            raise WrongParameter("Each entry needs an entity_id.")
        couples.append((parse_uuid(item["entity_id"]), optional_uuid(item.get("preview_file_id"))))
    return couples


def context_name(playlist):
    """Project (and episode, for TV shows) part of download file names."""
    project = playlist.project
    name = slugify(project.name).replace("-", "_")
    if project.production_type == "tvshow":
        if playlist.episode_id is not None:
            episode = Entity.objects.filter(pk=playlist.episode_id).values_list("name", flat=True)
            episode_name = episode.first() or ""
        elif playlist.is_for_all:
            episode_name = "all assets"
        else:
            episode_name = "main pack"
        name += "_" + slugify(episode_name).replace("-", "_")
    return name


# --- listings -------------------------------------------------------------------------


class ProjectPlaylistsView(KitsuView):
    def get(self, request, project_id):
        project = load_project(project_id)
        role = playlists.check_project_playlists(request.user, project.pk)
        return self.respond(
            playlists.project_playlists(
                project.pk,
                client=role == roles.CLIENT,
                page=parse_int(request.query_params.get("page", 1), "page"),
                sort_by=request.query_params.get("sort_by"),
                task_type_id=optional_uuid(request.query_params.get("task_type_id")),
            )
        )


class EpisodePlaylistsView(KitsuView):
    def get(self, request, project_id, episode_id):
        project = load_project(project_id)
        role = playlists.check_project_playlists(request.user, project.pk)
        if episode_id not in ("main", "all"):
            episode = get_or_404(Entity.objects.filter(entity_type__name=EPISODE), episode_id)
            if episode.project_id != project.pk:
                raise NotFound()
            episode_id = episode.pk
        return self.respond(
            playlists.episode_playlists(
                project.pk,
                episode_id,
                client=role == roles.CLIENT,
                sort_by=request.query_params.get("sort_by"),
                task_type_id=optional_uuid(request.query_params.get("task_type_id")),
            )
        )


class ProjectAllPlaylistsView(KitsuView):
    def get(self, request, project_id):
        roles.require_admin(request.user)
        project = load_project(project_id)
        queryset = Playlist.objects.filter(project_id=project.pk).order_by("created_at")
        return self.respond(
            paginated(queryset, request, lambda rows: serialize_rows(Playlist, rows))
        )


class ProjectBuildJobsView(KitsuView):
    def get(self, request, project_id):
        roles.require_admin(request.user)
        project = load_project(project_id)
        return self.respond(
            playlists.build_job_rows(BuildJob.objects.filter(playlist__project_id=project.pk))
        )


class ProjectPlaylistView(KitsuView):
    def get(self, request, project_id, playlist_id):
        project = load_project(project_id)
        playlist = load_playlist(playlist_id)
        if playlist.project_id != project.pk:
            raise NotFound()
        playlists.check_playlist_read(request.user, playlist)
        return self.respond(playlists.playlist_detail(playlist))


class TempPlaylistView(KitsuView):
    def post(self, request, project_id):
        project = load_project(project_id)
        playlists.check_project_playlists(request.user, project.pk)
        task_ids = self.body().get("task_ids")
        if not isinstance(task_ids, list):
            raise WrongParameter("task_ids must be a list of ids.")
        task_ids = [parse_uuid(task_id) for task_id in task_ids]
        return self.respond(
            playlists.temp_playlist(project.pk, task_ids, sort=query_flag(request, "sort"))
        )


class EntityPreviewFilesView(KitsuView):
    """Every preview of an entity by task type: the Kitsu task page calls it each time."""

    def get(self, request, entity_id):
        entity = get_or_404(Entity, entity_id)
        check_entity_read(request.user, entity)
        return self.respond(playlists.previews_for_entity(entity.pk))


# --- entries ------------------------------------------------------------------------


class AddEntityView(KitsuView):
    def post(self, request, playlist_id):
        playlist = load_playlist(playlist_id)
        playlists.check_playlist_write(request.user, playlist)
        body = self.body()
        (entity_id,) = self.required(body, "entity_id")
        couples = entity_couples([{**body, "entity_id": entity_id}])
        playlist = playlists.add_entities(playlist, couples)
        return self.respond(serialize_instance(playlist, relations=False))


class AddEntitiesView(KitsuView):
    def post(self, request, playlist_id):
        playlist = load_playlist(playlist_id)
        playlists.check_playlist_write(request.user, playlist)
        couples = entity_couples(self.body().get("entities"))
        playlist = playlists.add_entities(playlist, couples)
        return self.respond(serialize_instance(playlist, relations=False))


# --- builds and downloads -----------------------------------------------------------


class BuildMovieView(KitsuView):
    def get(self, request, playlist_id):
        playlist = load_playlist(playlist_id)
        check_manager_access(request.user, playlist.project_id)
        try:
            job = playlist_builds.start_movie_build(playlist, full=query_flag(request, "full"))
        except playlist_builds.BuildRunning:
            raise Conflict("A movie of this playlist is already being built.") from None
        # Without a broker the job has run by now: answer with how it ended.
        job.refresh_from_db()
        return self.respond(serialize_instance(job, relations=False))


class BuildJobView(KitsuView):
    def get(self, request, playlist_id, build_job_id):
        playlist = load_playlist(playlist_id)
        playlists.check_playlist_read(request.user, playlist)
        job = load_build_job(playlist, build_job_id)
        return self.respond(serialize_instance(job, relations=False))

    def delete(self, request, playlist_id, build_job_id):
        playlist = load_playlist(playlist_id)
        playlists.check_playlist_read(request.user, playlist)
        job = load_build_job(playlist, build_job_id)
        playlist_builds.delete_build_job(job)
        return self.respond(None, status=204)


class BuildJobMovieView(KitsuView):
    content_negotiation_class = AnyAcceptNegotiation

    def get(self, request, playlist_id, build_job_id):
        playlist = load_playlist(playlist_id)
        playlists.check_playlist_read(request.user, playlist)
        job = load_build_job(playlist, build_job_id)
        if job.status != "succeeded":
            raise ApiError({"error": True, "message": "Build is not finished"}, 400)
        stamp = job.created_at.strftime("%Y%m%d_%H%M%S")
        name = f"{stamp}_{context_name(playlist)}_{slugify(playlist.name).replace('-', '_')}.mp4"
        return stored_file_response(
            request,
            playlist_builds.build_movie_key(job.pk),
            "video/mp4",
            download_name=name,
            byte_ranges=True,
        )


class PlaylistZipView(KitsuView):
    content_negotiation_class = AnyAcceptNegotiation

    def get(self, request, playlist_id):
        playlist = load_playlist(playlist_id)
        playlists.check_playlist_read(request.user, playlist)
        # Kept in memory up to a few megabytes, then spilled to a temporary
        # file; the response closes it once sent.
        archive = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115
        playlist_builds.playlist_zip(playlist, archive)
        archive.seek(0)
        name = f"{context_name(playlist)}_{slugify(playlist.name).replace('-', '_')}.zip"
        return FileResponse(
            archive, content_type="application/zip", as_attachment=True, filename=name
        )


# --- clients and sharing --------------------------------------------------------------


class NotifyClientsView(KitsuView):
    def post(self, request, playlist_id):
        playlist = load_playlist(playlist_id)
        check_manager_access(request.user, playlist.project_id)
        body = self.body() if request.data else {}
        studio_id = optional_uuid(body.get("studio_id"))
        department_id = optional_uuid(body.get("department_id"))
        playlists.notify_clients(playlist, request.user, studio_id, department_id)
        return self.respond({"status": "success"})


def parse_share_body(body):
    expiration = body.get("expiration_date")
    expiration = parse_datetime(expiration, "expiration_date") if expiration else None
    can_comment = body.get("can_comment", True)
    if not isinstance(can_comment, bool):
        raise WrongParameter("can_comment must be true or false.")
    password = body.get("password") or None
    if password is not None and not isinstance(password, str):
        raise WrongParameter("password must be a string.")
    return expiration, can_comment, password


class ShareLinksView(KitsuView):
    def get(self, request, playlist_id):
        playlist = load_playlist(playlist_id)
        check_manager_access(request.user, playlist.project_id)
        return self.respond(
            sharing.share_link_rows(
                PlaylistShareLink.objects.filter(playlist=playlist, is_active=True)
            )
        )

    def post(self, request, playlist_id):
        playlist = load_playlist(playlist_id)
        check_manager_access(request.user, playlist.project_id)
        expiration, can_comment, password = parse_share_body(self.body())
        link = sharing.create_share_link(playlist, request.user, expiration, can_comment, password)
        return self.respond(sharing.share_link_row(link), status=201)


def load_share_link(playlist, token):
    link = (
        PlaylistShareLink.objects.select_related("playlist__project")
        .filter(token=token[:64], playlist=playlist)
        .first()
    )
    if link is None:
        raise NotFound()
    return link


class ShareLinkView(KitsuView):
    def delete(self, request, playlist_id, token):
        playlist = load_playlist(playlist_id)
        check_manager_access(request.user, playlist.project_id)
        link = sharing.revoke_share_link(load_share_link(playlist, token))
        return self.respond(sharing.share_link_row(link))


class ShareLinkInviteView(KitsuView):
    def post(self, request, playlist_id, token):
        playlist = load_playlist(playlist_id)
        check_manager_access(request.user, playlist.project_id)
        link = load_share_link(playlist, token)
        if not link.is_active:
            raise NotFound()
        body = self.body()
        emails = body.get("emails") or []
        person_ids = body.get("person_ids") or []
        if not isinstance(emails, list) or not all(isinstance(item, str) for item in emails):
            raise WrongParameter("emails must be a list of addresses.")
        if not isinstance(person_ids, list):
            raise WrongParameter("person_ids must be a list of ids.")
        person_ids = [parse_uuid(person_id) for person_id in person_ids]
        message = body.get("message")
        if message is not None and not isinstance(message, str):
            raise WrongParameter("message must be a string.")
        sent = sharing.send_invitations(link, request.user, emails, person_ids, message)
        return self.respond({"sent": sent})


# --- generic resource ------------------------------------------------------------------


@register
class PlaylistResource(CrudResource):
    """``/data/playlists``: listed within reach, written by supervisors and managers."""

    model = Playlist
    slug = "playlists"
    protected_fields = frozenset({"project", "project_id", "created_by"})

    def check_list(self, request):
        pass

    def scope_queryset(self, request, queryset):
        return playlists.scope_playlists(request.user, queryset)

    def check_read(self, request, instance):
        playlists.check_playlist_read(request.user, instance)

    def check_create(self, request, values):
        project_id = values.get("project_id")
        if project_id is None:
            raise CrudError("project_id is required.")
        if not Project.objects.filter(pk=project_id).exists():
            raise CrudError("The project does not exist.")
        check_supervisor_access(request.user, project_id)

    def create(self, request, values, relations):
        values["created_by"] = request.user.pk
        return super().create(request, values, relations)

    def check_update(self, request, instance, values):
        playlists.check_playlist_write(request.user, instance)

    def check_delete(self, request, instance):
        playlists.check_playlist_write(request.user, instance)

    def delete(self, request, instance):
        playlists.delete_playlist(instance)

    def validate(self, instance):
        shots = instance.shots
        if shots is not None and not (
            isinstance(shots, list) and all(isinstance(entry, dict) for entry in shots)
        ):
            raise CrudError("shots must be a list of {entity_id, preview_file_id} objects.")
        if instance.episode_id is not None and instance.project_id is not None:
            episode = Entity.objects.filter(pk=instance.episode_id).values("project_id").first()
            if episode is None or episode["project_id"] != instance.project_id:
                raise CrudError("The episode does not belong to the playlist's project.")
        super().validate(instance)


PLAYLIST = "data/playlists/{playlist_id}"
PROJECT = "data/projects/{project_id}"

urlpatterns = [
    route("data/playlists/entities/{entity_id}/preview-files", EntityPreviewFilesView.as_view()),
    route(f"{PROJECT}/playlists", ProjectPlaylistsView.as_view()),
    route(f"{PROJECT}/playlists/all", ProjectAllPlaylistsView.as_view()),
    route(f"{PROJECT}/playlists/temp", TempPlaylistView.as_view()),
    route(f"{PROJECT}/playlists/{{playlist_id}}", ProjectPlaylistView.as_view()),
    route(f"{PROJECT}/episodes/{{episode_id}}/playlists", EpisodePlaylistsView.as_view()),
    route(f"{PROJECT}/build-jobs", ProjectBuildJobsView.as_view()),
    route("actions/playlists/{playlist_id}/add-entity", AddEntityView.as_view()),
    route("actions/playlists/{playlist_id}/add-entities", AddEntitiesView.as_view()),
    route(f"{PLAYLIST}/build/mp4", BuildMovieView.as_view()),
    route(f"{PLAYLIST}/download/zip", PlaylistZipView.as_view()),
    route(f"{PLAYLIST}/jobs/{{build_job_id}}", BuildJobView.as_view()),
    route(f"{PLAYLIST}/jobs/{{build_job_id}}/build/mp4", BuildJobMovieView.as_view()),
    route(f"{PLAYLIST}/notify-clients", NotifyClientsView.as_view()),
    route(f"{PLAYLIST}/share", ShareLinksView.as_view()),
    route(f"{PLAYLIST}/share/{{token}}", ShareLinkView.as_view()),
    route(f"{PLAYLIST}/share/{{token}}/invite", ShareLinkInviteView.as_view()),
]
