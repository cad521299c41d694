from django import forms
from django.utils.translation import gettext_lazy as _

# Drafts are compiled in the forum's working languages.
COMPILE_LANGUAGES = [("fr", _("French")), ("en", _("English")), ("es", _("Spanish"))]


class CompileForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), choices=COMPILE_LANGUAGES)
    force = forms.BooleanField(
        label=_("Make a new version even if nothing changed since the last draft"), required=False
    )


class ParagraphForm(forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}), strip=True)
    # Optimistic locking: the declaration's latest version when the form was opened.
    latest_version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class CompareForm(forms.Form):
    old = forms.TypedChoiceField(label=_("Compare version"), coerce=int)
    new = forms.TypedChoiceField(label=_("with version"), coerce=int)

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v, f"v{v}") for v in versions]
        self.fields["old"].choices = choices
        self.fields["new"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("old") is not None and data.get("old") == data.get("new"):
            raise forms.ValidationError(_("Choose two different versions."))
        return data
