"""Routes of the persons and departments domains."""

urlpatterns = []
