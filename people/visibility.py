"""Who shares a production with whom: an extension point filled from above.

Several people rules depend on project teams: clients only see the people of
their own productions, and production managers read the day offs of the people
they work with. Teams live in the ``productions`` app, one floor above
``people``, and an app never imports from the floors above it. So this module
holds a single provider function that the productions app registers when it
starts, typically in its ``AppConfig.ready()``::

    from people.visibility import set_project_mates_provider

    def project_mates(person):
        # ids of every person on a team the given person belongs to
        ...

    set_project_mates_provider(project_mates)

``project_mate_ids(person)`` returns the ids of the people who share at least
one project team with ``person`` (the person included when on a team). Until
a provider is registered it returns an empty set: clients then see only
themselves and managers only their own day offs, which errs on the side of
showing less.
"""

import uuid

_provider = None


def set_project_mates_provider(func):
    """Register ``func(person) -> iterable of person ids``; returns the previous one.

    Passing ``None`` removes the provider. Tests that swap in their own
    provider put the returned one back when they finish.
    """
    global _provider
    previous, _provider = _provider, func
    return previous


def project_mate_ids(person):
    """Ids (UUIDs) of the people sharing a project team with ``person``."""
    if _provider is None or person is None:
        return set()
    # Providers may answer with strings or UUIDs; callers compare with pks.
    return {uuid.UUID(str(person_id)) for person_id in _provider(person)}
