from tasks.api import (  # noqa: F401  (modules with resources register /data routes on import)
    activity_views,
    comment_views,
    crud,
    file_views,
    playlist_views,
    preview_views,
    shared_views,
    time_views,
    user_views,
    views,
)

urlpatterns = [
    *user_views.urlpatterns,
    *views.urlpatterns,
    *comment_views.urlpatterns,
    *preview_views.urlpatterns,
    *playlist_views.urlpatterns,
    *shared_views.urlpatterns,
    *file_views.urlpatterns,
    *activity_views.urlpatterns,
    *time_views.urlpatterns,
]
