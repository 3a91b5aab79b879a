"""Routes of the productions app."""

urlpatterns = []
