"""Routes under /data/user served by the productions app: the caller's open
projects and their saved search filters and filter groups."""

from django.db import transaction

from kitsu_backend.api.routing import route
from kitsu_backend.api.serialization import serialize_instance
from kitsu_backend.api.views import KitsuView
from productions.models import SearchFilter, SearchFilterGroup
from productions.user_data import (
    create_search_filter,
    create_search_filter_group,
    open_projects_for,
    owned_or_admin,
    search_filter_groups_for,
    search_filters_for,
    update_search_filter,
    update_search_filter_group,
)

# --- views --------------------------------------------------------------------------


class OpenProjectsView(KitsuView):
    """Open projects of the caller's teams (every open project for admins)."""

    def get(self, request):
        name = request.query_params.get("name") or None
        return self.respond(open_projects_for(request.user, name=name))


class FiltersView(KitsuView):
    def get(self, request):
        return self.respond(search_filters_for(request.user))

    def post(self, request):
        body = self.body()
        with transaction.atomic():
            row = create_search_filter(request.user, body)
        return self.respond(row, status=201)


class FilterView(KitsuView):
    def put(self, request, filter_id):
        body = self.body()
        with transaction.atomic():
            search_filter = owned_or_admin(SearchFilter, request.user, filter_id)
            row = update_search_filter(request.user, search_filter, body)
        return self.respond(row)

    def delete(self, request, filter_id):
        with transaction.atomic():
            owned_or_admin(SearchFilter, request.user, filter_id).delete()
        return self.respond(None, status=204)


class FilterGroupsView(KitsuView):
    def get(self, request):
        return self.respond(search_filter_groups_for(request.user))

    def post(self, request):
        body = self.body()
        with transaction.atomic():
            row = create_search_filter_group(request.user, body)
        return self.respond(row, status=201)


class FilterGroupView(KitsuView):
    def get(self, request, filter_group_id):
        group = owned_or_admin(SearchFilterGroup, request.user, filter_group_id)
        return self.respond(serialize_instance(group))

    def put(self, request, filter_group_id):
        body = self.body()
        with transaction.atomic():
            group = owned_or_admin(SearchFilterGroup, request.user, filter_group_id)
            row = update_search_filter_group(request.user, group, body)
        return self.respond(row)

    def delete(self, request, filter_group_id):
        with transaction.atomic():
            group = owned_or_admin(SearchFilterGroup, request.user, filter_group_id)
            # The filters of a group go with it, as in Zou.
            SearchFilter.objects.filter(search_filter_group=group).delete()
            group.delete()
        return self.respond(None, status=204)


urlpatterns = [
    route("data/user/projects/open", OpenProjectsView.as_view()),
    route("data/user/filters", FiltersView.as_view()),
    route("data/user/filters/{filter_id}", FilterView.as_view()),
    route("data/user/filter-groups", FilterGroupsView.as_view()),
    route("data/user/filter-groups/{filter_group_id}", FilterGroupView.as_view()),
]
