"""Public routes of shared playlists: ``/shared/playlists/{token}/...``.

No account is needed: the token is the credential. Each route checks the
link first (active, not expired, password given as ``?password=`` or in
the ``X-Share-Password`` header when the link has one) and then serves only
what belongs to its playlist. Guests act through the ``guest_id`` they got
from ``POST .../guest``.

The password is asked on every route, media included, whereas Zou checks it
only when the playlist and its context are read.
"""

from rest_framework.permissions import AllowAny

from kitsu_backend.api.exceptions import Forbidden, NotFound, WrongParameter
from kitsu_backend.api.routing import route
from kitsu_backend.api.serialization import serialize_instance
from kitsu_backend.api.views import KitsuView
from people.presentation import present_person
from people.services import AVATAR_PATH
from tasks import sharing
from tasks.api.views import comment_rows
from tasks.comments import attachment_path
from tasks.media import storage
from tasks.media.serving import AnyAcceptNegotiation, content_type_for, stored_file_response

MOVIE_VARIANTS = ("previews", "lowdef", "source")


def serve(request, key, content_type, download_name=None):
    """The stored file at ``key`` (404 when missing); movies are seekable by range."""
    return stored_file_response(
        request, key, content_type, download_name, byte_ranges=content_type == "video/mp4"
    )


class SharedView(KitsuView):
    """A route open to anyone holding a valid token."""

    authentication_classes = ()
    permission_classes = (AllowAny,)
    # Media routes answer browsers asking for ``image/*`` or ``video/*``.
    content_negotiation_class = AnyAcceptNegotiation

    def link(self, token):
        password = self.request.query_params.get("password") or self.request.META.get(
            "HTTP_X_SHARE_PASSWORD"
        )
        return sharing.validate_share_token(token, password)

    def guest_id(self):
        data = self.request.data
        guest_id = data.get("guest_id") if hasattr(data, "get") else None
        return guest_id or self.request.query_params.get("guest_id")


class SharedPlaylistView(SharedView):
    def get(self, request, token):
        return self.respond(sharing.shared_playlist(self.link(token)))


class SharedContextView(SharedView):
    def get(self, request, token):
        return self.respond(sharing.shared_context(self.link(token)))


class SharedGuestView(SharedView):
    def post(self, request, token):
        link = self.link(token)
        body = self.body()
        first_name = body.get("first_name") or "Guest"
        last_name = body.get("last_name") or ""
        if not isinstance(first_name, str) or not isinstance(last_name, str):
            raise WrongParameter("first_name and last_name must be text.")
        guest, created = sharing.get_or_create_guest(
            link, first_name, last_name, guest_id=body.get("guest_id")
        )
        return self.respond(present_person(guest, relations=False), status=201 if created else 200)


class SharedCommentsView(SharedView):
    def get(self, request, token):
        link = self.link(token)
        return self.respond(comment_rows(sharing.shared_comments_queryset(link), "client"))

    def post(self, request, token):
        link = self.link(token)
        sharing.check_can_comment(link)
        body = self.body()
        guest = sharing.guest_for_link(link, body.get("guest_id"))
        (task_id,) = self.required(body, "task_id")
        task = sharing.guest_task(link, task_id)
        text = body.get("text", body.get("comment", ""))
        if not isinstance(text, str):
            raise WrongParameter("text must be text.")
        comment = sharing.post_guest_comment(
            link, guest, task, body.get("task_status_id"), text, body.get("checklist")
        )
        return self.respond(comment.kitsu_payload, status=201)


class SharedCommentView(SharedView):
    def load(self, token, comment_id):
        link = self.link(token)
        sharing.check_can_comment(link)
        guest = sharing.guest_for_link(link, self.guest_id())
        return link, guest, sharing.guest_comment(link, guest, comment_id)

    def put(self, request, token, comment_id):
        _link, guest, comment = self.load(token, comment_id)
        body = self.body()
        if "text" in body and not isinstance(body["text"], (str, type(None))):
            raise WrongParameter("text must be text.")
        comment = sharing.update_guest_comment(comment, guest, body)
        return self.respond(comment_rows(type(comment).objects.filter(pk=comment.pk))[0])

    def delete(self, request, token, comment_id):
        _link, guest, comment = self.load(token, comment_id)
        sharing.delete_guest_comment(comment, guest)
        return self.respond(None, status=204)


class SharedCommentAttachmentsView(SharedCommentView):
    def post(self, request, token, comment_id):
        _link, _guest, comment = self.load(token, comment_id)
        files = [upload for name in request.FILES for upload in request.FILES.getlist(name)]
        if not files:
            raise WrongParameter("No file was sent.")
        sharing.add_guest_attachments(comment, files)
        return self.respond(comment_rows(type(comment).objects.filter(pk=comment.pk))[0], 201)


class SharedCommentAttachmentView(SharedCommentView):
    def delete(self, request, token, comment_id, attachment_file_id):
        _link, _guest, comment = self.load(token, comment_id)
        sharing.delete_guest_attachment(comment, attachment_file_id)
        return self.respond(None, status=204)


class SharedAttachmentFileView(SharedView):
    def get(self, request, token, attachment_file_id, file_name):
        attachment = sharing.shared_attachment(self.link(token), attachment_file_id)
        content_type = attachment.mimetype or "application/octet-stream"
        return serve(request, attachment_path(attachment.pk), content_type)


class SharedAnnotationsView(SharedView):
    def put(self, request, token):
        link = self.link(token)
        sharing.check_can_comment(link)
        body = self.body()
        sharing.guest_for_link(link, body.get("guest_id"))
        (preview_file_id,) = self.required(body, "preview_file_id")
        preview = sharing.shared_preview(link, preview_file_id)
        sharing.save_guest_annotations(link, preview, body.get("annotations", []))
        return self.respond({"status": "success"})


# --- media ----------------------------------------------------------------------------


class SharedPreviewView(SharedView):
    def get(self, request, token, preview_file_id):
        preview = sharing.shared_preview(self.link(token), preview_file_id)
        return self.respond(serialize_instance(preview, relations=False))


class SharedPreviewDownloadView(SharedView):
    def get(self, request, token, preview_file_id):
        link = self.link(token)
        if not link.playlist.project.is_preview_download_allowed:
            raise Forbidden("Downloads are not allowed in this production.")
        preview = sharing.shared_preview(link, preview_file_id)
        extension = preview.extension or "bin"
        name = f"{preview.original_name or preview.pk}.{extension}"
        return serve(request, original_key(preview), content_type_for(extension), name)


def original_key(preview):
    if preview.extension in ("mp4", "mov"):
        return first_movie_key(preview.pk)
    if preview.extension == "png":
        return storage.key(storage.PICTURES, "original", preview.pk)
    return storage.key(storage.FILES, "previews", preview.pk)


def first_movie_key(preview_id):
    keys = [storage.key(storage.MOVIES, variant, preview_id) for variant in MOVIE_VARIANTS]
    return next((key for key in keys if storage.exists(key)), keys[0])


class SharedMovieView(SharedView):
    def get(self, request, token, preview_file_id):
        preview = sharing.shared_preview(self.link(token), preview_file_id)
        return serve(request, first_movie_key(preview.pk), "video/mp4")


class SharedPictureView(SharedView):
    """A PNG variant of a shared preview (``variant`` is set per route)."""

    variant = "original"

    def get(self, request, token, preview_file_id):
        preview = sharing.shared_preview(self.link(token), preview_file_id)
        return serve(request, storage.key(storage.PICTURES, self.variant, preview.pk), "image/png")


class SharedOriginalView(SharedView):
    def get(self, request, token, preview_file_id, extension):
        preview = sharing.shared_preview(self.link(token), preview_file_id)
        if extension.lower() != (preview.extension or "").lower():
            raise NotFound()
        return serve(request, original_key(preview), content_type_for(extension.lower()))


class SharedPersonAvatarView(SharedView):
    def get(self, request, token, person_id):
        person = sharing.shared_person(self.link(token), person_id)
        return serve(request, AVATAR_PATH.format(person_id=person.pk), "image/png")


SHARED = "shared/playlists/{token}"
PREVIEW = "preview-files/{preview_file_id}"

urlpatterns = [
    route(SHARED, SharedPlaylistView.as_view()),
    route(f"{SHARED}/context", SharedContextView.as_view()),
    route(f"{SHARED}/guest", SharedGuestView.as_view()),
    route(f"{SHARED}/annotations", SharedAnnotationsView.as_view()),
    route(f"{SHARED}/comments", SharedCommentsView.as_view()),
    route(f"{SHARED}/comments/{{comment_id}}", SharedCommentView.as_view()),
    route(
        f"{SHARED}/comments/{{comment_id}}/attachments",
        SharedCommentAttachmentsView.as_view(http_method_names=["post", "options"]),
    ),
    route(
        f"{SHARED}/comments/{{comment_id}}/attachments/{{attachment_file_id}}",
        SharedCommentAttachmentView.as_view(http_method_names=["delete", "options"]),
    ),
    route(
        f"{SHARED}/attachment-files/{{attachment_file_id}}/file/{{file_name}}",
        SharedAttachmentFileView.as_view(),
    ),
    route(f"{SHARED}/{PREVIEW}", SharedPreviewView.as_view()),
    route(f"{SHARED}/{PREVIEW}/download", SharedPreviewDownloadView.as_view()),
    route(f"{SHARED}/movies/originals/{PREVIEW}.mp4", SharedMovieView.as_view()),
    route(
        f"{SHARED}/movies/tiles/{PREVIEW}.png",
        SharedPictureView.as_view(variant="tiles"),
    ),
    route(f"{SHARED}/pictures/originals/{PREVIEW}.png", SharedPictureView.as_view()),
    route(f"{SHARED}/pictures/originals/{PREVIEW}.{{extension}}", SharedOriginalView.as_view()),
    route(
        f"{SHARED}/pictures/thumbnails/{PREVIEW}.png",
        SharedPictureView.as_view(variant="thumbnails"),
    ),
    route(
        f"{SHARED}/pictures/thumbnails/persons/{{person_id}}.png",
        SharedPersonAvatarView.as_view(),
    ),
]
