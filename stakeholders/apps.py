from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StakeholdersConfig(AppConfig):
    name = "stakeholders"
    verbose_name = _("Stakeholders")

    def ready(self):
        from stakeholders import queues, rules
        from stakeholders.permissions import add_rules

        add_rules(rules.RULES)
        queues.add_queues(*queues.STAKEHOLDER_QUEUES)
