from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.db.models import F
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

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


class ProfileForm(ProfileFields):
    pass


class DelegateRequestForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Government"),
        queryset=Organisation.objects.filter(constituency=Constituency.GOVERNMENT, status=Organisation.Status.APPROVED),
        widget=SearchableSelect,
        help_text=_("The government you represent."),
    )
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
    organisation = forms.ModelChoiceField(
        label=_("Government"),
        queryset=Organisation.objects.filter(constituency=Constituency.GOVERNMENT, status=Organisation.Status.APPROVED),
        widget=SearchableSelect,
    )
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
