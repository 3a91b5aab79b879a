from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "assets"

    def ready(self):
        from assets.receivers import refresh_casting_readiness
        from tasks.status_automations import asset_ready_for_changed

        asset_ready_for_changed.connect(
            refresh_casting_readiness, dispatch_uid="assets.refresh_casting_readiness"
        )
