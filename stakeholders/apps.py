from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def load_shipped_organisations(sender, using, verbosity=1, apps=None, **kwargs):
    """After `migrate` (and after the test runner's flush): the governments and international
    organisations shipped in stakeholders/data/ are there. Skipped while the database is not yet
    at the schema the loader needs (a migration back to an older state, or only another app's
    migrations run)."""
    from django.apps import apps as global_apps

    from stakeholders import services

    # `migrate` passes the migrated state's apps; `flush` (the test runner's) does not.
    # `migrate APP` of another app may leave stakeholders out of the migrated state: nothing to load yet.
    try:
        historical = (apps or global_apps).get_model("stakeholders", "Organisation")
    except LookupError:
        return
    if using != "default" or "reference" not in {field.name for field in historical._meta.get_fields()}:
        return
    created = services.load_organisations()
    if created and verbosity >= 1:
        print(f"  Loaded {created} governments and international organisations (stakeholders/data/).")


class StakeholdersConfig(AppConfig):
    name = "stakeholders"
    verbose_name = _("Stakeholders")

    def ready(self):
        from stakeholders import queues, rules
        from stakeholders.permissions import add_rules

        add_rules(rules.RULES)
        post_migrate.connect(load_shipped_organisations, sender=self, dispatch_uid="stakeholders.load_organisations")
        queues.add_queues(*queues.STAKEHOLDER_QUEUES)
