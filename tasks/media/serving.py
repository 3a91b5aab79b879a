"""HTTP responses that stream stored media, with single byte-range support.

Movie players ask for ranges (``Range: bytes=0-``) and need 206 answers to
seek; pictures are sent whole. Responses are marked private: they are
gated by the caller's token and must not be kept by shared proxies.
"""

import mimetypes
import re
from urllib.parse import quote

from django.http import HttpResponse, StreamingHttpResponse
from rest_framework.negotiation import DefaultContentNegotiation

from kitsu_backend.api.exceptions import NotFound
from tasks.media import storage

CACHE_MAX_AGE = 3600
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class AnyAcceptNegotiation(DefaultContentNegotiation):
    """File routes answer whatever the Accept header asks (``image/*``, ``video/*``);
    only their error bodies are JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Exception:
            return renderers[0], renderers[0].media_type


def content_type_for(extension):
    known = {"png": "image/png", "mp4": "video/mp4", "hdr": "image/vnd.radiance"}
    if extension in known:
        return known[extension]
    return mimetypes.guess_type(f"file.{extension}")[0] or "application/octet-stream"


def _byte_range(header, total):
    """``(start, end)`` of a single-range header, "unsatisfiable", or None to send all."""
    match = _RANGE.match(header.strip()) if header else None
    if match is None:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        length = int(last)
        if length == 0:
            return "unsatisfiable"
        return max(total - length, 0), total - 1
    start = int(first)
    end = min(int(last), total - 1) if last else total - 1
    if start >= total or end < start:
        return "unsatisfiable"
    return start, end


def _chunks(handle, length):
    try:
        remaining = length
        while remaining > 0:
            data = handle.read(min(storage.CHUNK_SIZE, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


def _disposition(download_name):
    try:
        download_name.encode("ascii")
        return f'attachment; filename="{download_name}"'
    except UnicodeEncodeError:
        return f"attachment; filename*=UTF-8''{quote(download_name)}"


def stored_file_response(request, storage_key, content_type, download_name=None, byte_ranges=False):
    """Stream the file at ``storage_key`` (404 when it is not stored).

    ``download_name`` makes it an attachment; ``byte_ranges`` honours a
    single ``Range`` header with a 206 partial answer.
    """
    try:
        total = storage.size(storage_key)
    except (FileNotFoundError, OSError):
        raise NotFound() from None
    start, end, status = 0, total - 1, 200
    if byte_ranges:
        wanted = _byte_range(request.META.get("HTTP_RANGE", ""), total)
        if wanted == "unsatisfiable":
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{total}"
            return response
        if wanted is not None:
            (start, end), status = wanted, 206
    length = max(end - start + 1, 0)
    handle = storage.open_file(storage_key)
    if start:
        handle.seek(start)
    response = StreamingHttpResponse(
        _chunks(handle, length), status=status, content_type=content_type
    )
    response["Content-Length"] = str(length)
    if byte_ranges:
        response["Accept-Ranges"] = "bytes"
    if status == 206:
        response["Content-Range"] = f"bytes {start}-{end}/{total}"
    if download_name:
        response["Content-Disposition"] = _disposition(download_name)
    response["Cache-Control"] = f"private, max-age={CACHE_MAX_AGE}"
    return response


def bytes_response(content, content_type, download_name=None):
    """A generated file (an extracted frame, a zip) sent from memory."""
    response = HttpResponse(content, content_type=content_type)
    if download_name:
        response["Content-Disposition"] = _disposition(download_name)
    response["Cache-Control"] = "private, no-cache"
    return response
