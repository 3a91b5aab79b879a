"""Root URLs: the Kitsu API under /api, the admin under /admin.

The OpenAPI description is at /api/openapi.json, browsable at /api/docs.

Each app lists its own routes in ``<app>/api/urls.py``; importing them also
registers their ``/data/<model>`` resources. All API routes are then ordered by
specificity, so that a literal segment (``/data/persons/task-dates``) wins over
a parameter (``/data/persons/{instance_id}``) whichever app defines them.
"""

from django.contrib import admin
from django.urls import include, path, re_path

from assets.api import urls as assets_urls
from kitsu_backend.api import docs, index
from kitsu_backend.api.crud import crud_urlpatterns
from kitsu_backend.api.routing import by_specificity
from people.api import urls as people_urls
from productions.api import urls as productions_urls
from shots.api import urls as shots_urls
from tasks.api import urls as tasks_urls

api_patterns = by_specificity(
    [
        *index.urlpatterns,
        *docs.urlpatterns,
        *people_urls.urlpatterns,
        *productions_urls.urlpatterns,
        *tasks_urls.urlpatterns,
        *assets_urls.urlpatterns,
        *shots_urls.urlpatterns,
        *crud_urlpatterns(),
    ]
)

urlpatterns = [
    path("admin/", admin.site.urls),
    # "/api" and "/api/..." but not "/apixyz".
    re_path(r"^api(?=/|$)/?", include(api_patterns)),
]

handler404 = "kitsu_backend.api.index.not_found"
handler500 = "kitsu_backend.api.index.server_error"
