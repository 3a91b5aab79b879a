"""Routes of the review loop (comment_views)."""

urlpatterns = []
