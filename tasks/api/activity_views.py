"""Routes of the review loop (activity_views)."""

urlpatterns = []
