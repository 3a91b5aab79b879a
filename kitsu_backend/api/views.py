"""The base view of every Kitsu route and the small parsing helpers views share."""

import uuid
from datetime import UTC, date, datetime

from django.db.models import Model, QuerySet
from rest_framework.response import Response
from rest_framework.views import APIView

from kitsu_backend.api import events
from kitsu_backend.api.exceptions import MalformedId, NotFound, WrongParameter


def parse_uuid(value):
    """The UUID in ``value``, or Zou's 400 "Malformed ID."."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        raise MalformedId() from None


def parse_uuid_list(values):
    return [parse_uuid(value) for value in values]


def get_or_404(model_or_queryset, object_id):
    """Fetch by primary key: 400 for a malformed id, 404 for an unknown one."""
    object_id = parse_uuid(object_id)
    if isinstance(model_or_queryset, QuerySet):
        queryset = model_or_queryset
    elif isinstance(model_or_queryset, type) and issubclass(model_or_queryset, Model):
        queryset = model_or_queryset._default_manager.all()
    else:
        raise TypeError("get_or_404 takes a model or a queryset")
    try:
        return queryset.get(pk=object_id)
    except queryset.model.DoesNotExist:
        raise NotFound() from None


def parse_date(value, name="date"):
    """A ``YYYY-MM-DD`` date (a datetime string is cut to its date)."""
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise WrongParameter(f"Wrong date format for {name}: {value!r}.") from None


def parse_datetime(value, name="date"):
    """A naive-UTC datetime from ISO 8601 (``Z`` and offsets accepted)."""
    text = str(value).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise WrongParameter(f"Wrong date format for {name}: {value!r}.") from None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


def parse_int(value, name, minimum=None, maximum=None):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise WrongParameter(f"{name} must be a whole number.") from None
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        raise WrongParameter(f"{name} is out of range.")
    return number


def query_flag(request, name, default=False):
    value = request.query_params.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


class KitsuView(APIView):
    """Base of every API view: JWT auth, Zou error bodies and orjson rendering
    come from the ``REST_FRAMEWORK`` defaults; this adds body helpers."""

    def initial(self, request, *args, **kwargs):
        # A worker thread serves requests one after another: forget the person
        # of the previous request before this one authenticates, so that its
        # events are not credited to them.
        events.current_person_id.set(None)
        super().initial(request, *args, **kwargs)

    def respond(self, data, status=200):
        return Response(data, status=status)

    def body(self):
        """The JSON body as a dict (400 when it is another JSON value)."""
        data = self.request.data
        if hasattr(data, "dict"):  # a QueryDict from a form or multipart body
            data = data.dict()
        if not isinstance(data, dict):
            raise WrongParameter("The request body must be a JSON object.")
        return data

    def required(self, body, *names):
        """The values of required body keys, in order (400 naming the first missing one)."""
        values = []
        for name in names:
            value = body.get(name)
            if value is None or value == "":
                raise WrongParameter(f"The field {name} is required.")
            values.append(value)
        return values
