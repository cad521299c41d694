from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The top floor: synthetic demo data (``seed_demo``) for demos and benchmarks. It may import every
    app; no app imports it. No models: it writes the rows of the apps below."""

    name = "demo"
    verbose_name = "Demo data"
