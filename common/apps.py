from django.apps import AppConfig


class CommonConfig(AppConfig):
    """The ground floor as a Django app: it owns the outbox table, the relay command and the
    ``portal`` template tags.

    Its label stays ``gfmd_portal``, the label these pieces had when they lived in the project
    package, so that existing databases keep their table (``gfmd_portal_outboxtask``) and their
    migration history without a data migration.
    """

    name = "common"
    label = "gfmd_portal"
    verbose_name = "GFMD Portal"
