from importlib import import_module

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoundtablesConfig(AppConfig):
    name = "roundtables"
    verbose_name = _("Forum programme")

    def ready(self):
        from common import pagecache
        from roundtables import models, queues, rules
        from stakeholders.permissions import add_rules
        from stakeholders.queues import add_queues

        add_rules(rules.RULES)
        add_queues(*queues.QUEUES)
        # The worker autodiscovers <app>.tasks only: each feature's tasks module is imported here, so
        # that its tasks are registered (under the names that outbox rows store).
        for feature in ("agenda", "registration", "contributions"):
            import_module(f"roundtables.{feature}.tasks")
        # The programme and the published agenda are on public pages. Registrations, seat quotas,
        # feed tokens, contributions and reports are not (moderation calls changed_content()).
        pagecache.shown_on_pages(
            models.Forum,
            models.ForumCompactTheme,
            models.SubTheme,
            models.RoundTable,
            models.RoundTableTarget,
            models.RoundTableTheme,
            models.GuidingQuestion,
            models.Session,
            models.RegistrationPolicy,
            models.SessionRole,
            models.AgendaItem,
            models.SessionChange,
            models.ProgrammeChange,
        )
        pagecache.warm_urls_from(_most_visited)


def _most_visited():
    from django.urls import reverse

    from roundtables.models import RoundTable

    round_tables = RoundTable.objects.filter(forum__is_current=True).values_list("forum__slug", "code")
    return [
        reverse("roundtables:home"),
        reverse("roundtables:current-programme"),
        *(reverse("roundtables:detail", kwargs={"forum": f, "code": c}) for f, c in round_tables.order_by("position")),
    ]
