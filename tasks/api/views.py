"""Routes of the tasks app."""

urlpatterns = []
