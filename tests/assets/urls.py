"""Only the routes of the assets app, under /api, as the root urls mount them.

The assets tests run against these so that they exercise this app alone,
whatever the state of the other apps' routes.
"""

from django.urls import include, re_path

from assets.api import views

urlpatterns = [re_path(r"^api(?=/|$)/?", include(views.urlpatterns))]
