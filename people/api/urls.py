from people.api import auth_views, crud, views  # noqa: F401  (crud registers /data resources)

urlpatterns = [*auth_views.urlpatterns, *views.urlpatterns]
