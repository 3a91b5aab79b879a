"""Routes under /data/user and /actions/user served by the assets app."""

urlpatterns = []
