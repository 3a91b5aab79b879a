"""The OpenAPI description of the API and the Swagger UI that browses it.

Zou publishes its description at ``/openapi.json`` and ``/openapi-raw.json``
and a Swagger UI at ``/apidocs/``; the same paths answer here under ``/api``,
plus ``/api/docs``. The Swagger UI files come from drf-spectacular-sidecar and
are served by this application under ``/api/docs/<file>``, so the page works
on a studio network without Internet access and without a static file server.

Most views are plain ``APIView`` subclasses without serializers (rows are
built from ``.values()`` queries), so the schema generator is taught the
project's conventions instead: route regexes turned back into Zou-style
paths, ids typed as UUIDs, the generic ``/data/<model>`` rows described from
their model, and Zou's error bodies on every operation.
"""

import inspect
import json
import mimetypes
import re
from functools import cache
from pathlib import Path

import drf_spectacular_sidecar
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, get_urlconf
from django.views.decorators.http import require_safe
from drf_spectacular import plumbing
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.generators import EndpointEnumerator, SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import (
    ResolvedComponent,
    build_array_type,
    build_basic_type,
    build_generic_type,
    build_object_type,
    build_parameter_type,
)
from drf_spectacular.renderers import OpenApiJsonRenderer2
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from kitsu_backend.api.crud import CrudDetailView, CrudListView, CrudResource
from kitsu_backend.api.routing import route
from kitsu_backend.api.serialization import columns, m2m_fields

SWAGGER_UI_DIR = (
    Path(drf_spectacular_sidecar.__file__).parent
    / "static"
    / "drf_spectacular_sidecar"
    / "swagger-ui-dist"
)
# Only the files shipped with the Swagger UI are served: the file name comes
# from the URL, so it is checked against this list, never joined blindly.
SWAGGER_UI_FILES = frozenset(path.name for path in SWAGGER_UI_DIR.iterdir() if path.is_file())

# Path prefixes whose second segment names the resource, used as the tag.
RESOURCE_PREFIXES = {"data", "actions", "import", "export", "pictures", "movies", "shared"}
AUTOMATIC_COLUMNS = {"id", "created_at", "updated_at"}

CRUD_DESCRIPTIONS = {
    (CrudListView, "GET"): (
        "Rows of the table. Any column given in the query string filters the list: "
        "`name` matches with ILIKE (`%` wildcards), a value written as a JSON array "
        "means IN, a many-to-many field matches linked ids. `page` and `limit` "
        "paginate, `relations=true` adds many-to-many id lists, `fields=a,b` keeps "
        "only those keys."
    ),
    (CrudListView, "POST"): "Create a row from the JSON body; answers the new row.",
    (CrudDetailView, "GET"): "One row, with its many-to-many id lists.",
    (CrudDetailView, "PUT"): "Change the columns given in the JSON body; answers the row.",
    (CrudDetailView, "DELETE"): "Delete the row.",
}

# What a route without a declared serializer answers, as far as the schema knows.
ANY_JSON = {"oneOf": [build_generic_type(), build_array_type({})]}
ERROR_SCHEMA = build_object_type(
    properties={
        "error": build_basic_type(OpenApiTypes.BOOL),
        "message": build_basic_type(OpenApiTypes.STR),
        "data": {"nullable": True},
    },
    required=["error", "message"],
)
TOKEN_ERROR_SCHEMA = build_object_type(
    properties={"msg": build_basic_type(OpenApiTypes.STR)}, required=["msg"]
)
CRUD_ERROR_SCHEMA = build_object_type(
    properties={"message": build_basic_type(OpenApiTypes.STR)}, required=["message"]
)


def api_root():
    """The URL path of the API root, honouring a deployment under a sub-path."""
    return get_script_prefix().rstrip("/") + "/api"


# --- paths -------------------------------------------------------------------

_PARAMETER = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_LOOKAHEAD = re.compile(r"\(\?[=!][^)]*\)")


class KitsuEndpointEnumerator(EndpointEnumerator):
    """Reads back the paths that ``routing.route`` turned into regexes.

    ``route("data/persons/{person_id}")`` under the ``/api`` include becomes
    ``^api(?=/|$)/?^data/persons/(?P<person_id>[^/]+)/?$``; the stock
    enumerator would keep the look-ahead and the optional slashes.
    """

    def get_path_from_regex(self, path_regex):
        path = _LOOKAHEAD.sub("", path_regex)
        path = _PARAMETER.sub(lambda match: "{" + match.group(1) + "}", path)
        path = path.replace("^", "").replace("$", "").replace("/?", "/")
        path = re.sub(r"\\(.)", r"\1", path)
        if re.search(r"[()\[\]|*+?]", path):
            # A pattern written some other way: let the stock parser try.
            return super().get_path_from_regex(path_regex)
        path = "/" + re.sub("/+", "/", path).strip("/")
        return path


class KitsuSchemaGenerator(SchemaGenerator):
    endpoint_inspector_cls = KitsuEndpointEnumerator


def build_mock_request(method, path, view, original_request, **kwargs):
    """The stand-in request each view is inspected with.

    In a real request Django sets ``view.request`` before DRF wraps it, and
    views may rely on that (a view whose authentication depends on the HTTP
    method, say); the stock builder wraps the request first.
    """
    view.request = getattr(APIRequestFactory(), method.lower())(path=path)
    return plumbing.build_mock_request(method, path, view, original_request, **kwargs)


# --- operations --------------------------------------------------------------


def _has_serializer(view):
    return isinstance(view, GenericAPIView) or any(
        hasattr(view, name)
        for name in ("get_serializer", "get_serializer_class", "serializer_class")
    )


def _is_public(view):
    return any(isinstance(permission, AllowAny) for permission in view.get_permissions())


class KitsuAutoSchema(AutoSchema):
    """Schema inspection for views written the way this project writes them.

    Views that declare a serializer, or use ``@extend_schema``, are described
    by drf-spectacular as usual; the others get what the conventions say.
    """

    method_actions = {
        "GET": "get",
        "POST": "create",
        "PUT": "update",
        "PATCH": "partial_update",
        "DELETE": "delete",
    }

    @property
    def crud_resource(self):
        resource = getattr(self.view, "resource", None)
        return resource if isinstance(resource, CrudResource) else None

    def _get_serializer(self):
        if _has_serializer(self.view):
            return super()._get_serializer()
        return None

    def _resolve_path_parameters(self, variables):
        parameters = []
        for variable in variables:
            if variable == "instance_id" or variable.endswith("_id"):
                schema = build_basic_type(OpenApiTypes.UUID)
            else:
                schema = build_basic_type(OpenApiTypes.STR)
            parameters.append(
                build_parameter_type(name=variable, location=OpenApiParameter.PATH, schema=schema)
            )
        return parameters

    def get_tags(self):
        tokens = self._tokenize_path()
        if not tokens:
            return ["index"]
        if tokens[0] in RESOURCE_PREFIXES and len(tokens) > 1:
            return [tokens[1]]
        return tokens[:1]

    def get_operation_id(self):
        path = re.sub(self.path_prefix, "", self.path, flags=re.IGNORECASE)
        tokens = [
            f"by_{token[1:-1]}" if token.startswith("{") else token
            for token in path.strip("/").split("/")
            if token
        ]
        tokens = [re.sub(r"\W", "_", token) for token in tokens] or ["root"]
        action = self.method_actions.get(self.method, self.method.lower())
        if self.method == "GET" and isinstance(self.view, CrudListView):
            action = "list"
        return "_".join([*tokens, action])

    def get_description(self):
        if self.crud_resource is not None:
            base = CrudListView if isinstance(self.view, CrudListView) else CrudDetailView
            return CRUD_DESCRIPTIONS.get((base, self.method), "")
        # Only the view's own docstring: the base classes' would describe the
        # plumbing, not the route.
        method = getattr(type(self.view), self.method.lower(), None)
        own_doc = type(self.view).__dict__.get("__doc__")
        return inspect.getdoc(method) or inspect.cleandoc(own_doc or "")

    def get_request_serializer(self):
        if _has_serializer(self.view):
            return super().get_request_serializer()
        if self.crud_resource is not None:
            return {"application/json": self._crud_row_schema()}
        return {"application/json": build_generic_type()}

    def get_response_serializers(self):
        if _has_serializer(self.view):
            return super().get_response_serializers()
        responses = self._success_responses()
        responses.update(self._error_responses())
        return responses

    def _success_responses(self):
        if self.method == "DELETE":
            return {204: None}
        if self.crud_resource is None:
            return {200: ANY_JSON}
        row = self._crud_row_schema()
        if self.method == "POST":
            return {201: row}
        if isinstance(self.view, CrudListView):
            page = build_object_type(
                properties={
                    "data": build_array_type(row),
                    "total": build_basic_type(OpenApiTypes.INT),
                    "nb_pages": build_basic_type(OpenApiTypes.INT),
                    "limit": build_basic_type(OpenApiTypes.INT),
                    "offset": build_basic_type(OpenApiTypes.INT),
                    "page": build_basic_type(OpenApiTypes.INT),
                }
            )
            # A plain list, or a page object when ``page`` is given.
            return {200: {"oneOf": [build_array_type(row), page]}}
        return {200: row}

    def _error_responses(self):
        errors = {}
        has_id = "{" in self.path
        if has_id or self.method in ("POST", "PUT", "PATCH"):
            if self.crud_resource is not None:
                # The generic routes answer a bad body with ``{"message"}`` only.
                errors[400] = {"oneOf": [ERROR_SCHEMA, CRUD_ERROR_SCHEMA]}
            else:
                errors[400] = ERROR_SCHEMA
        if not _is_public(self.view):
            errors[401] = TOKEN_ERROR_SCHEMA
            errors[403] = ERROR_SCHEMA
        if has_id:
            errors[404] = ERROR_SCHEMA
        return errors

    def _crud_row_schema(self):
        """A component describing one row of a ``/data/<model>`` resource."""
        resource = self.crud_resource
        model = resource.model
        hidden = frozenset(resource.hidden_fields)
        name = f"{model.get_kitsu_type()}Row"
        component = ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, object=model)
        if component not in self.registry:
            component.schema = self._model_schema(model, hidden)
            self.registry.register_on_missing(component)
        return component.ref

    def _model_schema(self, model, hidden):
        by_attname = {field.attname: field for field in model._meta.concrete_fields}
        properties = {}
        for attname in columns(model, hidden):
            field = by_attname[attname]
            target = field.target_field if field.is_relation else field
            schema = self._map_model_field(target, direction=None)
            if field.null:
                schema["nullable"] = True
            # Only the automatic columns are read-only (a foreign key maps to
            # the target's primary key, which is).
            schema.pop("readOnly", None)
            if attname in AUTOMATIC_COLUMNS:
                schema["readOnly"] = True
            properties[attname] = schema
        properties["type"] = {**build_basic_type(OpenApiTypes.STR), "readOnly": True}
        for field in m2m_fields(model, hidden):
            properties[field.name] = build_array_type(build_basic_type(OpenApiTypes.UUID))
        return build_object_type(properties=properties, description=model.__doc__ or "")


class KitsuJWTScheme(OpenApiAuthenticationExtension):
    """JWT in an ``Authorization: Bearer`` header or the ``access_token_cookie``.

    The class is named as a string, as in the ``REST_FRAMEWORK`` settings, so
    that this plumbing does not import the people app.
    """

    target_class = "people.authentication.JWTAuthentication"
    name = ["bearerAuth", "cookieAuth"]

    def get_security_definition(self, auto_schema):
        return [
            {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            {"type": "apiKey", "in": "cookie", "name": "access_token_cookie"},
        ]

    def get_security_requirement(self, auto_schema):
        # Either one is enough.
        return [{"bearerAuth": []}, {"cookieAuth": []}]


# --- views -------------------------------------------------------------------


class FirstRenderer(BaseContentNegotiation):
    """Always answer with the view's first renderer, whatever ``Accept`` says."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@cache
def _schema(urlconf):
    # Built once per process: the routes do not change at run time, and
    # describing every route takes a noticeable moment.
    generator = KitsuSchemaGenerator(urlconf=urlconf)
    return generator.get_schema(request=None, public=True)


class SchemaView(APIView):
    """The OpenAPI 3 description of every route (Zou's ``/openapi.json``)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    renderer_classes = [OpenApiJsonRenderer2]
    content_negotiation_class = FirstRenderer
    schema = None

    def get(self, request):
        return Response(_schema(get_urlconf()))


@require_safe
def swagger_ui(request):
    """The Swagger UI page, loading its files and the schema from this server."""
    root = api_root()
    context = {
        "title": "Kitsu API",
        "swagger_ui_css": f"{root}/docs/swagger-ui.css",
        "swagger_ui_bundle": f"{root}/docs/swagger-ui-bundle.js",
        "swagger_ui_standalone": f"{root}/docs/swagger-ui-standalone-preset.js",
        "favicon_href": f"{root}/docs/favicon-32x32.png",
        "schema_url": f"{root}/openapi.json",
        "settings": json.dumps(spectacular_settings.SWAGGER_UI_SETTINGS),
        "oauth2_config": json.dumps(spectacular_settings.SWAGGER_UI_OAUTH2_CONFIG),
        "template_name_js": "drf_spectacular/swagger_ui.js",
        "script_url": None,
        "csrf_header_name": "X-CSRFTOKEN",
        # The schema is public: the page never needs credentials to load it.
        "schema_auth_names": "[]",
    }
    return render(request, "drf_spectacular/swagger_ui.html", context)


@require_safe
def swagger_ui_file(request, filename):
    """One file of the Swagger UI distribution (Zou's ``/docs/<filename>``)."""
    if filename not in SWAGGER_UI_FILES:
        raise Http404(filename)
    content_type, _encoding = mimetypes.guess_type(filename)
    if filename.endswith(".map"):
        content_type = "application/json"
    response = FileResponse(
        open(SWAGGER_UI_DIR / filename, "rb"),  # noqa: SIM115 (closed by the response)
        content_type=content_type or "text/plain",
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def oauth2_redirect(request):
    """Swagger UI's OAuth2 redirect page, pointed at its script under ``/docs``."""
    html = (SWAGGER_UI_DIR / "oauth2-redirect.html").read_text()
    html = html.replace('src="oauth2-redirect.js"', f'src="{api_root()}/docs/oauth2-redirect.js"')
    return HttpResponse(html, content_type="text/html; charset=utf-8")


urlpatterns = [
    route("openapi.json", SchemaView.as_view()),
    route("openapi-raw.json", SchemaView.as_view()),
    route("docs", swagger_ui),
    route("apidocs", swagger_ui),
    route("apidocs/index.html", swagger_ui),
    route("docs/{filename}", swagger_ui_file),
    route("oauth2-redirect.html", oauth2_redirect),
]
