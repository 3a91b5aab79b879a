"""Routes of the review loop (file_views)."""

urlpatterns = []
