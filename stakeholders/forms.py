from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.db.models import F
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from common.text import fold
from common.widgets import SearchableSelect, make_searchable
from stakeholders import services
from stakeholders.models import Constituency, Gender, Organisation, Profile
from stakeholders.uploads import EXTENSIONS, validate_document


def gender_field():
    """The optional, self-declared gender: only ever counted in aggregate (the agenda's balance panel)."""
    return forms.ChoiceField(
        label=_("Gender (optional)"),
        choices=[("", "—"), *Gender.choices],
        required=False,
        help_text=_("Optional. Only used in aggregate, to balance the panels of the forum's sessions."),
    )


class ProfileFields(forms.Form):
    """What a profile holds; shared by sign-up and the profile page."""

    given_name = forms.CharField(label=_("Given name"), max_length=150, help_text=_("As in your passport."))
    family_name = forms.CharField(label=_("Family name"), max_length=150, help_text=_("As in your passport."))
    badge_name = forms.CharField(
        label=_("Name on your badge (optional)"),
        max_length=80,
        required=False,
        help_text=_("As it should be printed on your badge; leave empty for your given and family names."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.filter(status=Organisation.Status.APPROVED),
        required=False,
        widget=SearchableSelect,
        help_text=_("Choose your organisation, or propose it below if it is not listed."),
    )
    proposed_organisation = forms.CharField(label=_("Propose an organisation"), max_length=300, required=False)
    constituency = forms.ChoiceField(label=_("Constituency"), choices=Constituency.choices)
    country = make_searchable(CountryField(blank=True).formfield(label=_("Country"), required=False))
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=settings.LANGUAGES)
    gender = gender_field()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("organisation") and cleaned.get("proposed_organisation"):
            self.add_error("proposed_organisation", _("Choose an organisation or propose one, not both."))
        return cleaned

    def profile_values(self):
        data = self.cleaned_data
        return {
            name: data.get(name)
            for name in (
                "given_name",
                "family_name",
                "badge_name",
                "organisation",
                "proposed_organisation",
                "constituency",
                "country",
                "position",
                "preferred_language",
                "gender",
            )
        }


class SignupForm(AllauthSignupForm):
    """allauth's sign-up with the profile's fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        profile_fields = ProfileFields()
        self.fields.update(profile_fields.fields)
        self.fields["preferred_language"].initial = get_language()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("organisation") and cleaned.get("proposed_organisation"):
            self.add_error("proposed_organisation", _("Choose an organisation or propose one, not both."))
        return cleaned

    def save(self, request):
        user = super().save(request)
        services.save_profile(user=user, **ProfileFields.profile_values(self))
        return user


def government_label(organisation):
    """A shipped government as the reader's language names its country (django-countries: "Maroc",
    "Marruecos"), so that a French or Spanish delegate finds it by typing; in English, and for any
    other organisation, its name as stored."""
    from django.utils.translation import get_language

    reference = organisation.reference or ""
    if reference.startswith("state:") and organisation.country and (get_language() or "en")[:2] != "en":
        return organisation.country.name
    return organisation.name


class _InReadersOrder(forms.models.ModelChoiceIterator):
    """The choices sorted by their label in the reader's language, the empty one first."""

    def __iter__(self):
        choices = list(super().__iter__())
        blank = [choice for choice in choices if choice[0] == ""]
        named = [choice for choice in choices if choice[0] != ""]
        return iter(blank + sorted(named, key=lambda choice: fold(str(choice[1]))))


class GovernmentChoiceField(forms.ModelChoiceField):
    """The approved governments, named and ordered in the reader's language."""

    iterator = _InReadersOrder

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Government"))
        kwargs.setdefault("widget", SearchableSelect)
        super().__init__(
            queryset=Organisation.objects.filter(
                constituency=Constituency.GOVERNMENT, status=Organisation.Status.APPROVED
            ),
            **kwargs,
        )

    def label_from_instance(self, organisation):
        return government_label(organisation)


class ProfileForm(ProfileFields):
    pass


class DelegateRequestForm(forms.Form):
    organisation = GovernmentChoiceField(help_text=_("The government you represent."))
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_("Your function and mandate, and who at your ministry or mission can confirm it."),
    )
    note_verbale = forms.FileField(
        label=_("Note verbale (optional)"),
        required=False,
        help_text=_("A PDF, PNG or JPEG file of at most 10 MB."),
    )

    def clean_note_verbale(self):
        upload = self.cleaned_data.get("note_verbale")
        if upload:
            kind = validate_document(upload, kinds=("pdf", "png", "jpeg"))
            # Stored under a random name with the extension of what the content is.
            upload.name = f"document{EXTENSIONS[kind]}"
        return upload


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason (sent to the person; required to reject)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    organisation = GovernmentChoiceField()
    language = forms.ChoiceField(label=_("Language of the email"), choices=settings.LANGUAGES)


class OrganisationReviewForm(forms.Form):
    """Staff's decision on a proposed organisation."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("approve", _("Approve it as it is")),
            ("merge", _("Merge it into an organisation already listed")),
            ("reject", _("Reject it")),
        ],
        widget=forms.RadioSelect,
    )
    into = forms.ModelChoiceField(
        label=_("Organisation to merge into"),
        queryset=Organisation.objects.filter(status=Organisation.Status.APPROVED),
        required=False,
        help_text=_("Everything that names the proposed organisation will name this one instead."),
        widget=SearchableSelect,
    )
    reason = forms.CharField(
        label=_("Reason (sent to the person; required to reject)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "merge" and not cleaned.get("into"):
            self.add_error("into", _("Choose the organisation to merge into."))
        if cleaned.get("decision") == "reject" and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Give the reason for the rejection; the person will read it."))
        return cleaned


class DelegateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, profile):
        return f"{profile.user.get_full_name() or profile.user.email} — {profile.organisation}"


class FocalPointForm(forms.Form):
    """Staff choose a verified delegate to be the focal point of their government."""

    profile = DelegateChoiceField(
        label=_("Verified delegate"),
        queryset=Profile.objects.filter(delegate_status=Profile.DelegateStatus.VERIFIED, organisation__isnull=False)
        .exclude(focal_point_for=F("organisation"))
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__email"),
        help_text=_("They become the focal point of the government they are a verified delegate of."),
        widget=SearchableSelect,
    )
