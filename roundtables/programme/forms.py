"""Forms of the programme editor: each row's plain fields, and each of its texts in English, French
and Spanish side by side with the state of each translation.

They turn what staff typed into the ``data`` of ``programme.editor``; the rules live there.
"""

from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.widgets import TYPE_MANY, make_searchable
from roundtables.models import Forum, GuidingQuestion, LinkSource, RoundTable, SubTheme
from roundtables.programme.editor import PLAIN_FIELDS, REQUIRED_TEXTS, editable_fields
from roundtables.programme.translations import EMPTY, LANGUAGES, STATE_LABELS, state, translated_fields

LANGUAGE_NAMES = dict(settings.LANGUAGES)
WIDGETS = {
    "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    "team_organisations": forms.Textarea(attrs={"rows": 3}),
}


class TextInLanguage:
    """One text in one language, as the template shows it: the field and its state."""

    def __init__(self, bound_field, language, state):
        self.field = bound_field
        self.language = language
        self.language_name = LANGUAGE_NAMES[language]
        self.state = "" if state == EMPTY else state  # an optional text nobody wrote: no badge
        self.state_label = STATE_LABELS[self.state] if self.state else ""


class EditorForm(forms.Form):
    """A row of ``model``: its plain fields (from the model) and its texts in each language."""

    model = None
    text_rows = {"title": 1, "theme": 1, "code": 1}

    def __init__(self, *args, forum, instance=None, **kwargs):
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(instance)
        super().__init__(*args, **kwargs)
        self.forum, self.instance = forum, instance
        plain = forms.fields_for_model(self.model, fields=PLAIN_FIELDS[self.model], widgets=WIDGETS)
        for name in PLAIN_FIELDS[self.model]:
            self.fields[name] = plain[name]
        if "sub_theme" in self.fields:
            sub_themes = SubTheme.objects.filter(forum=forum) if forum.pk else SubTheme.objects.none()
            self.fields["sub_theme"].queryset = sub_themes
        for name in ("host_countries", "co_chairing_countries", "co_chairing_governments", "team_governments"):
            if name in self.fields:
                # A plain select without JavaScript (hold Ctrl to choose several); one to type into with it.
                self.fields[name].widget.attrs["size"] = 6
                self.fields[name].help_text = _("Hold Ctrl (or ⌘) to choose several.")
                make_searchable(self.fields[name], help_text=TYPE_MANY)
        source = forum.source_language if forum.pk else settings.LANGUAGE_CODE
        for field in translated_fields(self.model):
            model_field = self.model._meta.get_field(field)
            long_text = isinstance(model_field, models.TextField)
            for language in LANGUAGES:
                self.fields[f"{field}_{language}"] = forms.CharField(
                    label=_("%(field)s (%(language)s)")
                    % {"field": str(model_field.verbose_name).capitalize(), "language": LANGUAGE_NAMES[language]},
                    required=False,
                    max_length=None if long_text else model_field.max_length,
                    widget=forms.Textarea(attrs={"rows": 4 if long_text else 2, "lang": language}),
                )
        self.source_language = source
        self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def initial_for(cls, instance):
        initial = {}
        for name in editable_fields(cls.model):
            value = getattr(instance, "sub_theme_id" if name == "sub_theme" else name)
            if name.endswith(("countries", "governments")):
                value = [str(code) for code in value]
            initial[name] = value
        initial["version"] = instance.version
        return initial

    def clean(self):
        cleaned = super().clean()
        # Said at once with the other fields' errors (programme.editor checks it again).
        source = cleaned.get("source_language") or self.source_language
        for field in REQUIRED_TEXTS[self.model]:
            name = f"{field}_{source}"
            if name not in self.errors and not (cleaned.get(name) or "").strip():
                self.add_error(name, _("Write this text in the source language."))
        return cleaned

    def plain_fields(self):
        return [self[name] for name in PLAIN_FIELDS[self.model]]

    def texts(self):
        """[(label, [TextInLanguage for en, fr, es])] for the template's side-by-side rows."""
        rows = []
        for field in translated_fields(self.model):
            label = str(self.model._meta.get_field(field).verbose_name).capitalize()
            cells = []
            for language in LANGUAGES:
                found = state(self.instance, field, language, self.source_language) if self.instance else ""
                cells.append(TextInLanguage(self[f"{field}_{language}"], language, found))
            rows.append((field, label, cells))
        return rows

    def values(self):
        """The ``data`` of programme.editor's functions."""
        return {name: self.cleaned_data.get(name) for name in editable_fields(self.model)}

    def add_errors(self, error):
        if hasattr(error, "error_dict"):
            for name, errors in error.error_dict.items():
                for message in errors:
                    self.add_error(name if name in self.fields else None, message)
        else:
            self.add_error(None, error)


class ForumForm(EditorForm):
    model = Forum


class SubThemeForm(EditorForm):
    model = SubTheme


class RoundTableForm(EditorForm):
    model = RoundTable


class QuestionForm(EditorForm):
    model = GuidingQuestion


class LinkForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Framework"), choices=[("target", _("SDG target")), ("theme", _("Global Compact theme"))]
    )
    code = forms.CharField(label=_("Code"), max_length=8, help_text=_("For example 10.7 or A.a"))
    source = forms.ChoiceField(label=_("Source"), choices=LinkSource.choices, initial=LinkSource.PORTAL)

    def __init__(self, *args, **kwargs):
        # Drawn on the round table's page beside the round table's form, which has a "code" of its own.
        kwargs.setdefault("auto_id", "id_link_%s")
        super().__init__(*args, **kwargs)


class ForumLinkForm(LinkForm):
    """A link of the forum itself: to a Compact theme only (the forum has no SDG targets)."""

    kind = None
    code = forms.CharField(label=_("Code"), max_length=8, help_text=_("For example A.a"))

    def clean(self):
        cleaned_data = super().clean()
        cleaned_data["kind"] = "theme"
        return cleaned_data


class CopyForm(forms.Form):
    """The new forum's address, year and edition; everything else is copied."""

    slug = forms.SlugField(label=_("Address (slug)"), max_length=50, help_text=_("For example gfmd-2018"))
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    edition = forms.IntegerField(label=_("Edition"), min_value=1, max_value=1000)
