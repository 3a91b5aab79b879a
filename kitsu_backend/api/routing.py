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
    pattern = re_path(regex, view, name=name)
    pattern.kitsu_path = path
    return pattern


def _specificity(pattern):
    """Sort key: at the first segment where two paths differ, a literal beats a parameter."""
    path = getattr(pattern, "kitsu_path", None)
    if path is None:
        return ()
    return tuple(1 if _PARAM.fullmatch(segment) else 0 for segment in path.split("/"))


def by_specificity(patterns):
    """Order ``patterns`` so that ``budgets/time-spents`` is tried before
    ``budgets/{budget_id}``, whichever app defines them. Parameters match any
    segment, so two routes of the same length can overlap only where one has
    a literal and the other a parameter; the sort is stable otherwise."""
    return sorted(patterns, key=_specificity)
