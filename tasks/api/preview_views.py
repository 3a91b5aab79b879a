"""Routes of the review loop (preview_views)."""

urlpatterns = []
