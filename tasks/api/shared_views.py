"""Routes of the review loop (shared_views)."""

urlpatterns = []
