from productions.api import crud, user_views, views  # noqa: F401  (crud registers /data resources)

# Specific routes first; the generic /data/<model> patterns are appended by the root urls.
urlpatterns = [*user_views.urlpatterns, *views.urlpatterns]
