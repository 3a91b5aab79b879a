"""The big listing tables of the Kitsu UI (``/data/<kind>/with-tasks``) in the
form the query string asks for.

- plain: a JSON array of row objects;
- ``compact=true``: the header object (field names) with ``rows`` of
  positional arrays;
- ``stream=true``: NDJSON, one row per line (the header first when compact),
  sent as ``application/x-ndjson``.

Every form carries a strong ETag of its exact bytes; a matching
``If-None-Match`` gets an empty 304, so a UI reloading an unchanged page pays
for the queries but not for the transfer.
"""

import hashlib

from django.http import HttpResponse, StreamingHttpResponse

from kitsu_backend.api.renderers import dumps
from kitsu_backend.api.views import query_flag


def table_response(request, rows, header, positional):
    """Answer ``rows`` (dicts); ``positional(rows)`` gives the compact rows."""
    compact = query_flag(request, "compact")
    stream = query_flag(request, "stream")
    body_rows = positional(rows) if compact else rows
    if stream:
        chunks = [dumps(header) + b"\n"] if compact else []
        chunks.extend(dumps(row) + b"\n" for row in body_rows)
    else:
        chunks = [dumps({**header, "rows": body_rows} if compact else rows)]
    etag = _etag(chunks)
    if etag in _requested_etags(request):
        response = HttpResponse(status=304)
    elif stream:
        response = StreamingHttpResponse(iter(chunks), content_type="application/x-ndjson")
    else:
        response = HttpResponse(b"".join(chunks), content_type="application/json")
    response["ETag"] = etag
    return response


def _etag(chunks):
    digest = hashlib.md5(usedforsecurity=False)
    for chunk in chunks:
        digest.update(chunk)
    return f'"{digest.hexdigest()}"'


def _requested_etags(request):
    header = request.headers.get("If-None-Match", "")
    tags = {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}
    return tags
