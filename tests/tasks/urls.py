"""The tasks app's routes alone, for the tests of routes that another app's
pattern shadows in the full URL map (see the test that uses it)."""

from django.urls import include, re_path

from kitsu_backend.api.crud import crud_urlpatterns
from tasks.api import urls as tasks_urls

urlpatterns = [re_path(r"^api(?=/|$)/?", include([*tasks_urls.urlpatterns, *crud_urlpatterns()]))]
