"""Routes under /data/user and /actions/user served by the tasks app."""

urlpatterns = []
