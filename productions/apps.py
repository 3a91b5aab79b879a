from django.apps import AppConfig


class ProductionsConfig(AppConfig):
    name = "productions"

    def ready(self):
        from people.visibility import set_project_mates_provider
        from productions.access import project_mate_ids

        # People rules (clients' person list, managers reading day offs) need
        # project teams, which this app owns.
        set_project_mates_provider(project_mate_ids)
