"""Forms of session registration: the participant's one step, and the staff's policy, list and door."""

from django import forms
from django.utils.translation import gettext_lazy as _

from roundtables.models import BadgeJob, Registration
from stakeholders.models import Constituency

YES_NO = [("", _("Choose…")), ("yes", _("Yes")), ("no", _("No"))]


def _yes_no(value):
    return {"yes": True, "no": False}.get(value)


class RegistrationForm(forms.Form):
    """One step: the optional questions that the session's policy asks, nothing else."""

    accessibility_needs = forms.CharField(
        label=_("Accessibility needs (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example step-free access, sign language interpretation, a seat near the front."),
    )
    visa_letter_needed = forms.TypedChoiceField(
        label=_("Do you need a visa support letter? (optional)"),
        choices=YES_NO,
        coerce=_yes_no,
        empty_value=None,
        required=False,
    )
    dietary_needs = forms.CharField(
        label=_("Dietary needs (optional)"),
        max_length=300,
        required=False,
        help_text=_("For example vegetarian, halal, allergies."),
    )

    def __init__(self, *args, policy, **kwargs):
        """``policy`` None: every question (the service keeps the answers its policy asks)."""
        super().__init__(*args, **kwargs)
        if policy is None:
            return
        asked = {
            "accessibility_needs": policy.ask_accessibility,
            "visa_letter_needed": policy.ask_visa_letter,
            "dietary_needs": policy.ask_dietary,
        }
        for name, ask in asked.items():
            if not ask:
                del self.fields[name]

    def answers(self):
        """The keyword arguments of services.register."""
        return {name: self.cleaned_data[name] for name in self.fields}


def constituency_field_name(constituency):
    return f"seats_{constituency}"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class RegistrationPolicyForm(forms.Form):
    """Seats, quotas per constituency, who and when, the questions asked: services.configure_registration."""

    total_seats = forms.IntegerField(label=_("Total seats"), min_value=1, max_value=100_000)
    eligible_constituencies = forms.MultipleChoiceField(
        label=_("Who may register"),
        choices=Constituency.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick none to open the session to every constituency."),
    )
    opens_at = forms.DateTimeField(
        label=_("Registration opens (Berlin time)"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=_("Leave empty to open at once."),
    )
    closes_at = forms.DateTimeField(
        label=_("Registration closes (Berlin time)"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=_("Leave empty to keep it open."),
    )
    ask_accessibility = forms.BooleanField(label=_("Ask about accessibility needs"), required=False)
    ask_visa_letter = forms.BooleanField(label=_("Ask whether a visa support letter is needed"), required=False)
    ask_dietary = forms.BooleanField(label=_("Ask about dietary needs"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One number per constituency, after the total: the seats reserved for it.
        fields = {"total_seats": self.fields.pop("total_seats")}
        for value, label in Constituency.choices:
            fields[constituency_field_name(value)] = forms.IntegerField(
                label=label, min_value=0, max_value=100_000, required=False, initial=0
            )
        fields.update(self.fields)
        self.fields = fields

    def quota_fields(self):
        return [self[constituency_field_name(value)] for value, _label in Constituency.choices]

    def other_fields(self):
        quota_names = {constituency_field_name(value) for value, _label in Constituency.choices}
        return [self[name] for name in self.fields if name not in quota_names and name != "total_seats"]

    @staticmethod
    def initial_for(policy):
        if policy is None:
            return {"ask_accessibility": True, "ask_visa_letter": True, "ask_dietary": True}
        initial = {
            "total_seats": policy.total_seats,
            "eligible_constituencies": policy.eligible_constituencies,
            "opens_at": policy.opens_at,
            "closes_at": policy.closes_at,
            "ask_accessibility": policy.ask_accessibility,
            "ask_visa_letter": policy.ask_visa_letter,
            "ask_dietary": policy.ask_dietary,
        }
        for constituency, seats in policy.quotas().items():
            initial[constituency_field_name(constituency)] = seats
        return initial

    def configuration(self):
        """The keyword arguments of services.configure_registration (without session and staff)."""
        data = self.cleaned_data
        return {
            "total_seats": data["total_seats"],
            "quotas": {value: data.get(constituency_field_name(value)) or 0 for value, _label in Constituency.choices},
            "eligible_constituencies": data["eligible_constituencies"],
            "opens_at": data["opens_at"],
            "closes_at": data["closes_at"],
            "ask_accessibility": data["ask_accessibility"],
            "ask_visa_letter": data["ask_visa_letter"],
            "ask_dietary": data["ask_dietary"],
        }


class StaffActionForm(forms.Form):
    """A row's button on the staff list: cancel or promote one registration, with the reason."""

    action = forms.ChoiceField(choices=[("cancel", _("Cancel")), ("promote", _("Promote"))])
    registration = forms.IntegerField(min_value=1)
    reason = forms.CharField(label=_("Reason"), max_length=500)


class RegistrationFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("All")), *Registration.Status.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    constituency = forms.ChoiceField(
        label=_("Constituency"),
        choices=[("", _("All")), *Constituency.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Check-in code"),
        max_length=64,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}
        ),
        help_text=_(
            "Type the code, in any case, with or without the hyphen, or scan the QR code: "
            "a scanner types it and presses Enter."
        ),
    )


class BadgeForm(forms.Form):
    """Which badges to print: all confirmed participants, one constituency's, or one person's."""

    layout = forms.ChoiceField(
        label=_("Layout"), choices=BadgeJob.Layout.choices, initial=BadgeJob.Layout.SHEET, widget=forms.RadioSelect
    )
    constituency = forms.ChoiceField(
        label=_("Constituency"), choices=[("", _("All constituencies")), *Constituency.choices], required=False
    )
    registration = forms.ModelChoiceField(
        label=_("One person"),
        queryset=Registration.objects.none(),
        required=False,
        empty_label=_("Everyone who matches"),
        help_text=_("Choose one person to print a single badge (a replacement, a late registration)."),
    )

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registration"].queryset = registrations
        self.fields["registration"].label_from_instance = _person_label

    def selection(self):
        """(constituency, registration id) as the badges' query takes them."""
        registration = self.cleaned_data.get("registration")
        return self.cleaned_data.get("constituency", ""), registration.pk if registration else None


def _person_label(registration):
    from stakeholders.models import display_name

    profile = getattr(registration.person, "profile", None)
    organisation = profile.organisation.name if profile is not None and profile.organisation else ""
    name = display_name(registration.person)
    return f"{name} — {organisation}" if organisation else name
