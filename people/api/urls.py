from people.api import crud  # noqa: F401  (registers the /data resources of people)

urlpatterns = []
