"""Routes under /data/user and /actions/user served by the productions app."""

urlpatterns = []
