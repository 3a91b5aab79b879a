"""Routes of the shots app."""

urlpatterns = []
