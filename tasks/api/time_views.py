"""Routes of the review loop (time_views)."""

urlpatterns = []
