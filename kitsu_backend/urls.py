"""Root URLs: the Kitsu API under /api, the admin under /admin.

The OpenAPI description is at /api/openapi.json, browsable at /api/docs.

Each app lists its own routes in ``<app>/api/urls.py``; importing them also
registers their ``/data/<model>`` resources, whose patterns come last so that
specific routes such as ``/data/persons/day-offs/...`` win.
"""

from django.contrib import admin
from django.urls import include, path, re_path

from assets.api import urls as assets_urls
from kitsu_backend.api import docs, index
from kitsu_backend.api.crud import crud_urlpatterns
from people.api import urls as people_urls
from productions.api import urls as productions_urls
from shots.api import urls as shots_urls
from tasks.api import urls as tasks_urls

api_patterns = [
    *index.urlpatterns,
    *docs.urlpatterns,
    *people_urls.urlpatterns,
    *productions_urls.urlpatterns,
    *tasks_urls.urlpatterns,
    *assets_urls.urlpatterns,
    *shots_urls.urlpatterns,
    *crud_urlpatterns(),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    # "/api" and "/api/..." but not "/apixyz".
    re_path(r"^api(?=/|$)/?", include(api_patterns)),
]

handler404 = "kitsu_backend.api.index.not_found"
handler500 = "kitsu_backend.api.index.server_error"
