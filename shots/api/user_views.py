"""Routes under /data/user and /actions/user served by the shots app."""

urlpatterns = []
