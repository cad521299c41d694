"""Forms of contributions: the participant's contribution, the staff's queue and decisions, the
rapporteur's report. The rules themselves live in ``contributions.services``."""

from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from roundtables.contributions.services import MAX_REASON_LENGTH, MAX_TEXT_LENGTH
from roundtables.models import Contribution, RoundTable, RoundTableTarget, RoundTableTheme
from sdg_targets.models import CompactTheme, Target


def add_errors(form, error):
    """A service's ValidationError next to the fields it names, or at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class QuestionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("Question %(position)s: %(text)s") % {
            "position": obj.position,
            "text": Truncator(obj.text).chars(160),
        }


class TargetChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        label = _("Target %(code)s: %(text)s") % {"code": obj.code, "text": Truncator(obj.text).chars(120)}
        return f"{label} ({_('this round table')})" if getattr(obj, "own", False) else label


class ThemeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        label = f"{obj.code} {Truncator(obj.title).chars(120)}"
        return f"{label} ({_('this round table')})" if getattr(obj, "own", False) else label


def _own_first(queryset, link_model, field, round_table, *ordering):
    """The frameworks linked to the round table first (marked), then the others."""
    own = link_model.objects.filter(round_table=round_table, **{field: OuterRef("pk")})
    return queryset.annotate(own=Exists(own)).order_by("-own", *ordering)


class ContributionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of contribution"),
        choices=Contribution.Kind.choices,
        widget=forms.RadioSelect,
        help_text=_("A statement shares an experience or a position; a recommendation proposes what to do."),
    )
    guiding_question = QuestionChoiceField(
        label=_("Guiding question"),
        queryset=None,
        required=False,
        empty_label=_("No particular question: the round table as a whole"),
    )
    text = forms.CharField(
        label=_("Your contribution"),
        max_length=MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10, "maxlength": MAX_TEXT_LENGTH}),
        help_text=_("At most %(max)s characters.") % {"max": f"{MAX_TEXT_LENGTH:,}"},
    )
    language = forms.ChoiceField(label=_("Language of your text"), choices=settings.LANGUAGES)
    sdg_targets = TargetChoiceField(
        label=_("SDG targets it relates to (optional)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    compact_themes = ThemeChoiceField(
        label=_("Global Compact themes it relates to (optional)"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, round_table, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("language", get_language())
        super().__init__(*args, **kwargs)
        self.fields["guiding_question"].queryset = round_table.guiding_questions.order_by("position")
        self.fields["sdg_targets"].queryset = _own_first(
            Target.objects.select_related("goal"), RoundTableTarget, "target", round_table, "goal__number", "position"
        )
        self.fields["compact_themes"].queryset = _own_first(
            CompactTheme.objects.all(), RoundTableTheme, "theme", round_table, "code"
        )

    def contribution(self):
        """The keyword arguments of contributions.submit (besides the round table and author)."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "text": data["text"],
            "language": data["language"],
            "guiding_question": data["guiding_question"],
            "sdg_targets": list(data["sdg_targets"]),
            "compact_themes": list(data["compact_themes"]),
        }


ALL = "all"
STATUS_FILTER = [
    (Contribution.Status.SUBMITTED, _("Awaiting moderation")),
    *[(value, label) for value, label in Contribution.Status.choices if value != Contribution.Status.SUBMITTED],
    (ALL, _("Any status")),
]


class ContributionFilterForm(forms.Form):
    """The moderation queue's filters; an unknown value is ignored (the default is used)."""

    round_table = forms.ModelChoiceField(
        label=_("Round table"),
        queryset=RoundTable.objects.none(),
        required=False,
        empty_label=_("All"),
        to_field_name="code",
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTER, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("All")), *Contribution.Kind.choices], required=False)

    def __init__(self, *args, forum, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round_table"].queryset = RoundTable.objects.filter(forum=forum).order_by("position", "code")
        self.fields["round_table"].label_from_instance = lambda rt: f"{rt.code} {Truncator(rt.title).chars(60)}"

    def values(self):
        """(round table or None, status or "all", kind or "") from what is valid."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return (
            data.get("round_table"),
            data.get("status") or Contribution.Status.SUBMITTED,
            data.get("kind") or "",
        )


class ModerationForm(forms.Form):
    """One decision on one contribution: accept, reject (with a reason), or duplicate of #number."""

    ACTIONS = [
        ("accept", _("Accept")),
        ("reject", _("Reject")),
        ("duplicate", _("Duplicate")),
        ("same_as", _("The same in another language")),
    ]

    action = forms.ChoiceField(choices=ACTIONS)
    reason = forms.CharField(
        label=_("Reason for rejecting it (the author reads it)"),
        max_length=MAX_REASON_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_REASON_LENGTH}),
    )
    duplicate_of = forms.IntegerField(label=_("Duplicate of contribution number"), min_value=1, required=False)
    same_as = forms.IntegerField(label=_("The same as contribution number"), min_value=1, required=False)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for rejecting it: the author reads it."))
        if action == "duplicate" and not data.get("duplicate_of"):
            self.add_error("duplicate_of", _("Name the contribution it repeats, by its number."))
        if action == "same_as" and not data.get("same_as"):
            self.add_error("same_as", _("Name the contribution it translates, by its number."))
        return data


class ContributorNamesForm(forms.Form):
    show_contributor_names = forms.BooleanField(
        label=_("Show contributors' names on public pages"),
        required=False,
        help_text=_(
            "Unticked (the default, Chatham House rule): accepted contributions are shown by constituency only."
        ),
    )


class ReportForm(forms.Form):
    text = forms.CharField(
        label=_("Report"),
        widget=forms.Textarea(attrs={"rows": 16}),
        max_length=50000,
        help_text=_("What the session discussed, its main points of agreement and its recommendations."),
    )
    # Optimistic lock: the version of the report the form was opened at (0: there was none).
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
