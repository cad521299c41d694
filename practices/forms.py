"""Forms of the good-practice workflow: the delegates' form in sections, the reviewers' decision.

The forms only check what a person typed; what may be saved, submitted or published is
decided by ``practices.services``.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import Q
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext_lazy as _

from common.widgets import TYPE_MANY, make_searchable
from practices import services
from practices.models import Practice
from roundtables.models import Forum, RoundTable
from sdg_targets.models import CompactTheme, Target
from stakeholders.models import Constituency
from stakeholders.uploads import validate_document

GENDER_CHOICES = [("yes", _("Yes")), ("no", _("No")), ("unknown", _("Not known yet"))]
GENDER_VALUES = {"yes": True, "no": False}
# A hint for the browser's file chooser; the content is what is checked.
ACCEPT = ".pdf,.docx,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"
FILE_HELP = _("A PDF, Word (DOCX), PNG or JPEG file of at most 10 MB. The file's content is checked, not its name.")


def _field(name, **kwargs):
    """The model field's form field (label, length), optional: a draft may be incomplete."""
    return Practice._meta.get_field(name).formfield(required=False, **kwargs)


def _textarea(rows):
    return forms.Textarea(attrs={"rows": rows})


class LabelledChoiceField(forms.ModelMultipleChoiceField):
    """Checkboxes labelled "code — text", the text cut to one line."""

    def __init__(self, *args, text, **kwargs):
        self.text = text
        super().__init__(*args, widget=forms.CheckboxSelectMultiple, required=False, **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.code} — {Truncator(getattr(obj, self.text)).chars(110)}"


class PracticeForm(forms.Form):
    """A practice in sections. Only the title is needed to save a draft; the rest is checked
    when the draft is submitted for review (``services.missing_for_review``)."""

    # About
    title = forms.CharField(label=_("Title"), max_length=300)
    summary = _field("summary", widget=_textarea(3), label=_("Summary"))
    description = _field("description", widget=_textarea(8), label=_("Description"))
    language = forms.ChoiceField(
        label=_("Language of the text"), choices=Practice.Language.choices, initial=Practice.Language.ENGLISH
    )
    # Where and who
    countries = _field(
        "countries",
        label=_("Implementing countries"),
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    implementing_organisations = _field(
        "implementing_organisations", widget=_textarea(2), label=_("Implementing organisations")
    )
    partners = _field("partners", widget=_textarea(2), label=_("Partners"))
    constituencies = forms.MultipleChoiceField(
        label=_("Constituencies involved"),
        choices=Constituency.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    # When
    start_date = forms.DateField(label=_("Start"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("End"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ongoing = forms.BooleanField(label=_("Ongoing"), required=False)
    # Links to frameworks
    sdg_targets = LabelledChoiceField(Target.objects.none(), text="text", label=_("SDG targets"))
    compact_themes = LabelledChoiceField(CompactTheme.objects.none(), text="title", label=_("Global Compact themes"))
    round_tables = LabelledChoiceField(RoundTable.objects.none(), text="title", label=_("Related round tables"))
    # Gender
    gender_responsive = forms.ChoiceField(
        label=_("Is the practice gender-responsive?"),
        choices=GENDER_CHOICES,
        widget=forms.RadioSelect,
        initial="unknown",
        required=False,
    )
    gender_explanation = _field("gender_explanation", widget=_textarea(3), label=_("How it is gender-responsive"))
    # Results
    results = _field("results", widget=_textarea(5), label=_("Results and impact"))
    evidence = _field("evidence", widget=_textarea(4), label=_("Evidence or evaluation"))
    replicability = _field("replicability", widget=_textarea(3), label=_("Replicability"))
    # Contact and links
    contact_name = _field("contact_name", label=_("Contact name"))
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    links = _field(
        "links",
        widget=_textarea(3),
        label=_("Links"),
        help_text=_("One web address per line, starting with https:// or http://."),
    )
    # Optimistic locking: the version of the practice this form was opened at (edit only).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, practice=None, attachments=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.practice = practice
        self.attachments = list(attachments)
        if practice is None:
            del self.fields["version"]
            if not self.is_bound and get_language() in Practice.Language.values:
                self.fields["language"].initial = get_language()
        self.fields["countries"].widget.attrs["size"] = 8
        make_searchable(self.fields["countries"], help_text=TYPE_MANY)
        self.fields["sdg_targets"].queryset = Target.objects.order_by("goal__number", "position")
        self.fields["compact_themes"].queryset = CompactTheme.objects.order_by("code")
        self.fields["round_tables"].queryset = self._round_tables(practice)
        self._attachment_fields()
        self.helper = self._helper()

    @staticmethod
    def _round_tables(practice):
        """The current forum's round tables, and any other one the practice is already linked to."""
        current = Forum.objects.current()
        wanted = Q(forum=current) if current is not None else Q(pk__in=[])
        if practice is not None and practice.pk:
            wanted |= Q(pk__in=practice.round_tables.values("pk"))
        return RoundTable.objects.filter(wanted).order_by("forum__year", "position", "code")

    # --- Attachments ---

    def _attachment_fields(self):
        if self.attachments:
            self.fields["remove_attachments"] = forms.TypedMultipleChoiceField(
                label=_("Remove these files"),
                choices=[(attachment.pk, attachment_label(attachment)) for attachment in self.attachments],
                coerce=int,
                widget=forms.CheckboxSelectMultiple,
                required=False,
            )
        self.file_field_names = []
        for number in range(1, services.MAX_ATTACHMENTS - len(self.attachments) + 1):
            name = f"attachment_{number}"
            self.fields[name] = forms.FileField(
                label=_("File %(number)s") % {"number": number},
                required=False,
                widget=forms.FileInput(attrs={"accept": ACCEPT}),
                help_text=FILE_HELP if number == 1 else "",
            )
            self.file_field_names.append(name)

    def _clean_upload(self, name):
        upload = self.cleaned_data.get(name)
        if upload:
            try:
                validate_document(upload, kinds=services.ATTACHMENT_KINDS)
            except ValidationError as error:
                raise ValidationError(
                    [*error.messages, _("Choose the file again: a browser does not keep a refused file.")]
                ) from None
        return upload

    def clean(self):
        cleaned = super().clean()
        for name in self.file_field_names:
            if name in cleaned:
                try:
                    cleaned[name] = self._clean_upload(name)
                except ValidationError as error:
                    self.add_error(name, error)
        if cleaned.get("ongoing") and cleaned.get("end_date"):
            self.add_error("end_date", _("An ongoing practice has no end date: leave it empty or untick “ongoing”."))
        return cleaned

    def uploads(self):
        """The files chosen, in order, with a title from the name the person gave them."""
        chosen = [self.cleaned_data.get(name) for name in self.file_field_names]
        return [(upload, upload.name.rsplit("/", 1)[-1][:200]) for upload in chosen if upload]

    def removed_attachments(self):
        removed = set(self.cleaned_data.get("remove_attachments") or ())
        return [attachment for attachment in self.attachments if attachment.pk in removed]

    def clean_links(self):
        lines = [line.strip() for line in self.cleaned_data.get("links", "").splitlines() if line.strip()]
        validate = URLValidator(schemes=["http", "https"])
        bad = []
        for line in lines:
            try:
                validate(line)
            except ValidationError:
                bad.append(line)
        if bad:
            raise ValidationError(
                ngettext(
                    "This line is not a web address: %(lines)s",
                    "These lines are not web addresses: %(lines)s",
                    len(bad),
                )
                % {"lines": ", ".join(bad)}
            )
        return "\n".join(lines)

    # --- What the services are given ---

    def practice_data(self):
        data = {name: self.cleaned_data.get(name) for name in services.PLAIN_FIELDS + services.RELATED_FIELDS}
        data["gender_responsive"] = GENDER_VALUES.get(self.cleaned_data.get("gender_responsive"))
        data["language"] = data["language"] or Practice.Language.ENGLISH
        for name in services.RELATED_FIELDS:
            data[name] = list(data[name] or [])
        return data

    @staticmethod
    def initial_from(practice):
        initial = {name: getattr(practice, name) for name in services.PLAIN_FIELDS}
        initial["countries"] = [country.code for country in practice.countries]
        gender = practice.gender_responsive
        initial["gender_responsive"] = "unknown" if gender is None else ("yes" if gender else "no")
        for name in services.RELATED_FIELDS:
            initial[name] = list(getattr(practice, name).values_list("pk", flat=True))
        initial["version"] = practice.version
        return initial

    # --- Layout ---

    def _helper(self):
        helper = FormHelper()
        helper.form_tag = False  # the page holds the <form>, its version check and its two buttons
        helper.disable_csrf = True
        helper.layout = Layout(
            Fieldset(_("About"), "title", "summary", "description", "language"),
            Fieldset(
                _("Where and who"),
                "countries",
                "implementing_organisations",
                "partners",
                Div("constituencies", css_class="checkbox-columns"),
            ),
            Fieldset(
                _("When"),
                Div(
                    Div("start_date", css_class="col-sm-4"),
                    Div("end_date", css_class="col-sm-4"),
                    Div("ongoing", css_class="col-sm-4 pt-sm-5 mt-sm-2"),
                    css_class="row",
                ),
            ),
            Fieldset(
                _("Links to frameworks"),
                HTML("{% include 'practices/_frameworks_intro.html' %}"),
                Div("sdg_targets", css_class="checkbox-list"),
                Div("compact_themes", css_class="checkbox-list"),
                Div("round_tables", css_class="checkbox-list"),
            ),
            Fieldset(_("Gender"), "gender_responsive", "gender_explanation"),
            Fieldset(_("Results"), "results", "evidence", "replicability"),
            Fieldset(
                _("Contact and links"),
                Div(
                    Div("contact_name", css_class="col-md-6"),
                    Div("contact_email", css_class="col-md-6"),
                    css_class="row",
                ),
                "links",
            ),
            Fieldset(
                _("Attachments"),
                HTML("{% include 'practices/_attachment_intro.html' %}"),
                *(["remove_attachments"] if self.attachments else []),
                *self.file_field_names,
            ),
            *(["version"] if "version" in self.fields else []),
        )
        return helper


def attachment_label(attachment):
    return f"{attachment.title or attachment.kind.upper()} ({attachment.kind.upper()}, {_size(attachment.size)})"


def _size(size):
    if size >= 1_048_576:
        return f"{size / 1_048_576:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


class ReviewForm(forms.Form):
    """A reviewer's step: which action (the button pressed) and the comment sent to the submitters."""

    ACTIONS = ("start_review", "request_changes", "publish", "reject", "unpublish")

    action = forms.ChoiceField(choices=[(action, action) for action in ACTIONS])
    comment = forms.CharField(
        label=_("Comment to the submitting government"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=5000,
        help_text=_(
            "Required to request changes, to reject (the reason) and to unpublish. "
            "It is emailed to the government's delegates and shown in the practice's history."
        ),
    )


class WithdrawForm(forms.Form):
    comment = forms.CharField(label=_("Why (optional)"), required=False, max_length=2000)
