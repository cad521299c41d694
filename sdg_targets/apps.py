from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SdgTargetsConfig(AppConfig):
    name = "sdg_targets"
    verbose_name = _("Reference frameworks")
