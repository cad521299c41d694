"""Reference frameworks that the forum's work is linked to: the Sustainable Development Goals'
migration-related targets and the themes of the Global Compact for Migration."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Goal(models.Model):
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ["number"]
        verbose_name = _("Sustainable Development Goal")
        verbose_name_plural = _("Sustainable Development Goals")

    def __str__(self):
        return f"SDG {self.number}: {self.title}"


class Target(models.Model):
    class Relevance(models.TextChoices):
        CORE = "core", _("Core migration target")
        TRAFFICKING = "trafficking", _("Trafficking in persons")
        RELATED = "related", _("Related target")

    code = models.CharField(_("code"), max_length=8, unique=True, help_text=_("For example 10.7"))
    goal = models.ForeignKey(Goal, on_delete=models.PROTECT, related_name="targets", verbose_name=_("goal"))
    text = models.TextField(_("official text"))
    relevance = models.CharField(_("relevance"), max_length=16, choices=Relevance.choices, default=Relevance.RELATED)
    # Order inside the goal as the UN numbers them (1, 2, …, then a, b, c).
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["goal__number", "position"]
        verbose_name = _("SDG target")
        verbose_name_plural = _("SDG targets")

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("sdg_targets:target-detail", kwargs={"code": self.code})

    @staticmethod
    def position_from_code(code):
        """10.7 -> 7, 10.c -> 103: numbered targets come before lettered ones."""
        suffix = code.split(".", 1)[1]
        return int(suffix) if suffix.isdigit() else 100 + ord(suffix.lower()) - ord("a") + 1

    @staticmethod
    def sort_key(code):
        """Natural order of target codes: goal, then target, numbers before letters (3.c, 5.2, 10.7,
        10.c, 17.18), as the UN lists them; a code that is not "goal.target" comes last as written."""
        goal, _dot, suffix = code.partition(".")
        if not goal.isdigit() or not suffix:
            return (1000, 0, code)
        return (int(goal), Target.position_from_code(code), code)


class CompactTheme(models.Model):
    """A theme of the intergovernmental negotiations on the Global Compact for Safe, Orderly
    and Regular Migration, coded as the concept note codes them (A.a … C.f)."""

    code = models.CharField(_("code"), max_length=8, unique=True, help_text=_("For example A.a"))
    cluster = models.CharField(_("cluster"), max_length=4)
    title = models.TextField(_("title"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("Global Compact theme")
        verbose_name_plural = _("Global Compact themes")

    def __str__(self):
        return self.code

    def get_absolute_url(self):
        return reverse("sdg_targets:theme-detail", kwargs={"code": self.code})
