from django.apps import AppConfig
from django.db.models.signals import m2m_changed
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    name = "practices"
    verbose_name = _("Platform for Partnerships")

    def ready(self):
        from practices import links

        m2m_changed.connect(links.links_changed, dispatch_uid="practices.links")
