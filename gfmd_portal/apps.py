from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "gfmd_portal"
    verbose_name = "GFMD Portal"

    def ready(self):
        from gfmd_portal import pagecache

        pagecache.connect_invalidation()
