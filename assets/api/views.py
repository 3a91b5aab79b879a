"""Routes of the assets app."""

urlpatterns = []
