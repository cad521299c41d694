from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    name = "practices"
    verbose_name = _("Platform for Partnerships")

    def ready(self):
        from common import pagecache
        from practices import links, queues, rules
        from practices.models import Attachment, Practice, SearchGeneration, Transition
        from stakeholders.permissions import add_rules
        from stakeholders.queues import add_queues

        add_rules(rules.RULES)
        add_queues(*queues.QUEUES)
        pagecache.shown_on_pages(Practice, Attachment, Transition, SearchGeneration)
        m2m_changed.connect(links.links_changed, dispatch_uid="practices.links")
        # Any saved or deleted practice makes every process's facet index stale.
        post_save.connect(_practice_changed, sender=Practice, dispatch_uid="practices.facet_index.save")
        post_delete.connect(_practice_changed, sender=Practice, dispatch_uid="practices.facet_index.delete")


def _practice_changed(sender, **kwargs):
    from practices.search import facet_index

    facet_index.bump()
