from modeltranslation.translator import TranslationOptions, register

from roundtables.models import Forum, GuidingQuestion, RoundTable, Session, SubTheme


@register(Forum)
class ForumTranslation(TranslationOptions):
    fields = ("title", "theme", "theme_description", "introduction", "thematic_workshop", "impact")


@register(SubTheme)
class SubThemeTranslation(TranslationOptions):
    fields = ("title",)


@register(RoundTable)
class RoundTableTranslation(TranslationOptions):
    fields = ("title", "expected_outcomes", "background")


@register(GuidingQuestion)
class GuidingQuestionTranslation(TranslationOptions):
    fields = ("text",)


@register(Session)
class SessionTranslation(TranslationOptions):
    fields = ("title", "description")
