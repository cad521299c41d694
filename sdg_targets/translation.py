from modeltranslation.translator import TranslationOptions, register

from sdg_targets.models import CompactTheme, Goal, Target


@register(Goal)
class GoalTranslation(TranslationOptions):
    fields = ("title",)


@register(Target)
class TargetTranslation(TranslationOptions):
    fields = ("text",)


@register(CompactTheme)
class CompactThemeTranslation(TranslationOptions):
    fields = ("title",)
