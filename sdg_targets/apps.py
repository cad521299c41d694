from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SdgTargetsConfig(AppConfig):
    name = "sdg_targets"
    verbose_name = _("Reference frameworks")

    def ready(self):
        from common import pagecache
        from sdg_targets.models import CompactTheme, Goal, Target

        pagecache.shown_on_pages(Goal, Target, CompactTheme)
        pagecache.warm_urls_from(_most_visited)


def _most_visited():
    from django.urls import reverse

    return [reverse("sdg_targets:target-list"), reverse("sdg_targets:theme-list")]
