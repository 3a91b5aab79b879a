"""URL patterns written the way the reference writes paths.

``route("data/persons/{person_id}/day-offs", view)`` answers both with and
without a trailing slash, as Zou does. Path parameters match any segment: the
view validates ids itself, so a malformed id gets Zou's 400 instead of a 404.
"""

import re

from django.urls import re_path

_PARAM = re.compile(r"\{(\w+)\}")


def route(path, view, name=None):
    path = path.strip("/")
    parts = _PARAM.split(path)
    # split() alternates literal text and parameter names.
    regex = "".join(
        f"(?P<{part}>[^/]+)" if index % 2 else re.escape(part) for index, part in enumerate(parts)
    )
    regex = f"^{regex}/?$" if regex else "^/?$"
    return re_path(regex, view, name=name)
