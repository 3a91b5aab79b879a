"""The /data/<model> resources of the people app."""

from kitsu_backend.api.crud import CrudResource, register
from people.models import Department


class ReadableByAll(CrudResource):
    """Studio-wide settings every logged-in person reads and admins write."""

    def check_list(self, request):
        pass

    def check_read(self, request, instance):
        pass


@register
class DepartmentResource(ReadableByAll):
    model = Department
    slug = "departments"
