"""Routes of the review loop (playlist_views)."""

urlpatterns = []
