from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = _("Declarations")

    def ready(self):
        from common import pagecache
        from declarations import rules
        from declarations.models import Declaration, Draft, Paragraph
        from stakeholders.permissions import add_rules

        add_rules(rules.RULES)
        # A compile's job and sections are saved every second or two: they must not empty the cache.
        pagecache.shown_on_pages(Declaration, Draft, Paragraph)
