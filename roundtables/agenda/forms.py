"""Forms of agenda curation: a session's details, a person with a role, a step of the running order.

They check what a person typed and turn it into the keyword arguments of ``agenda.services``;
the rules themselves (and the audit, changelog and emails) live there.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from common.widgets import SearchableSelect, SearchableSelectMultiple
from roundtables.agenda.queries import combine, local
from roundtables.agenda.services import DETAIL_FIELDS
from roundtables.models import AgendaItem, GuidingQuestion, RoundTable, Session, SessionRole
from stakeholders.models import Constituency, Gender

BLANK = [("", "—")]


class SessionForm(forms.Form):
    """The details of a session. Date and times are the forum's local ones."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Session.Kind.choices)
    round_table = forms.ModelChoiceField(
        label=_("Round table"),
        queryset=RoundTable.objects.none(),
        required=False,
        help_text=_("Required for a round-table session."),
    )
    title_en = forms.CharField(label=_("Title (English)"), max_length=300)
    title_fr = forms.CharField(label=_("Title (French)"), max_length=300, required=False)
    title_es = forms.CharField(label=_("Title (Spanish)"), max_length=300, required=False)
    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave the date and times empty while they are not fixed."),
    )
    start_time = forms.TimeField(
        label=_("Start"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label=_("End"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    venue = forms.CharField(label=_("Venue"), max_length=200, required=False)
    room = forms.CharField(label=_("Room"), max_length=100, required=False)
    co_chairing_governments = forms.MultipleChoiceField(
        label=_("Co-chairing governments"),
        choices=[],
        required=False,
        widget=SearchableSelectMultiple(
            attrs={"size": 6}, help_text=_("Type a name to find it, then choose it; choose as many as apply.")
        ),
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_fr = forms.CharField(
        label=_("Description (French)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_es = forms.CharField(
        label=_("Description (Spanish)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, forum, **kwargs):
        super().__init__(*args, **kwargs)
        self.forum = forum
        self.fields["round_table"].queryset = RoundTable.objects.filter(forum=forum).order_by("position", "code")
        self.fields["co_chairing_governments"].choices = list(countries)

    @classmethod
    def initial_for(cls, session):
        start, end = local(session.start, session.forum), local(session.end, session.forum)
        initial = {name: getattr(session, name) for name in DETAIL_FIELDS if name not in ("start", "end")}
        initial["co_chairing_governments"] = [str(code) for code in session.co_chairing_governments]
        initial["round_table"] = session.round_table_id
        initial.update(
            date=start.date() if start else None,
            start_time=start.time() if start else None,
            end_time=end.time() if end else None,
            version=session.version,
        )
        return initial

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("date"), cleaned.get("start_time"), cleaned.get("end_time")
        given = [value is not None for value in (day, start, end)]
        if any(given) and not all(given) and not self.errors.keys() & {"date", "start_time", "end_time"}:
            self.add_error("date", _("Give the date, the start and the end together, or none of them."))
        elif all(given) and end <= start:
            self.add_error("end_time", _("The end must come after the start."))
        if cleaned.get("kind") == Session.Kind.ROUND_TABLE and not cleaned.get("round_table"):
            self.add_error("round_table", _("A round-table session belongs to a round table: choose it."))
        return cleaned

    def session_values(self):
        """The keyword ``data`` of services.create_session / update_session."""
        data = self.cleaned_data
        values = {name: data.get(name) for name in DETAIL_FIELDS if name not in ("start", "end")}
        if data.get("date") and data.get("start_time") and data.get("end_time"):
            values["start"] = combine(data["date"], data["start_time"], self.forum)
            values["end"] = combine(data["date"], data["end_time"], self.forum)
        else:
            values["start"] = values["end"] = None
        return values


class RoleForm(forms.Form):
    """A person with a role: someone with an account (by email address), or a named guest."""

    role = forms.ChoiceField(label=_("Role"), choices=SessionRole.Role.choices)
    email = forms.EmailField(
        label=_("Email address of a portal account"),
        required=False,
        help_text=_("For someone with an account; leave empty for a guest."),
    )
    guest_name = forms.CharField(label=_("Or a guest's name"), max_length=200, required=False)
    guest_organisation = forms.CharField(label=_("Guest's organisation"), max_length=300, required=False)
    guest_constituency = forms.ChoiceField(
        label=_("Guest's constituency"), choices=BLANK + list(Constituency.choices), required=False
    )
    guest_country = forms.ChoiceField(label=_("Guest's country"), choices=[], required=False, widget=SearchableSelect)
    guest_gender = forms.ChoiceField(
        label=_("Guest's gender (optional)"), choices=BLANK + list(Gender.choices), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guest_country"].choices = BLANK + list(countries)
        self.person = None

    def clean(self):
        cleaned = super().clean()
        email, guest = cleaned.get("email"), (cleaned.get("guest_name") or "").strip()
        if "email" in self.errors:
            return cleaned
        if email and guest:
            self.add_error("guest_name", _("Give an email address or a guest's name, not both."))
        elif not email and not guest:
            self.add_error("email", _("Give the email address of a portal account, or a guest's name."))
        elif email:
            self.person = get_user_model().objects.filter(email__iexact=email, is_active=True).order_by("id").first()
            if self.person is None:
                self.add_error("email", _("No account has this email address. Add the person as a guest instead."))
        return cleaned

    def role_values(self):
        data = self.cleaned_data
        if self.person is not None:
            return {"role": data["role"], "person": self.person}
        return {
            "role": data["role"],
            "guest_name": data["guest_name"],
            "guest_organisation": data["guest_organisation"],
            "guest_constituency": data["guest_constituency"],
            "guest_country": data["guest_country"],
            "guest_gender": data["guest_gender"],
        }


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=SessionRole.Role.choices)


class ItemForm(forms.Form):
    """A step to append to the running order."""

    kind = forms.ChoiceField(label=_("Step"), choices=AgendaItem.Kind.choices)
    guiding_question = forms.ModelChoiceField(
        label=_("Guiding question"),
        queryset=GuidingQuestion.objects.none(),
        required=False,
        help_text=_("For a guiding question step."),
    )
    title = forms.CharField(label=_("Title (optional)"), max_length=300, required=False)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=600, initial=10)

    def __init__(self, *args, session, questions=None, **kwargs):
        # Drawn on the session's page beside the session form, which has a "kind" of its own.
        kwargs.setdefault("auto_id", "id_item_%s")
        super().__init__(*args, **kwargs)
        field = self.fields["guiding_question"]
        field.queryset = GuidingQuestion.objects.filter(round_table_id=session.round_table_id)
        if questions is not None:
            # Already loaded by the page: no query of their own when the select is drawn.
            field.choices = BLANK + [(question.pk, f"Q{question.position}. {question.text}") for question in questions]
        else:
            field.label_from_instance = lambda question: f"Q{question.position}. {question.text}"

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == AgendaItem.Kind.GUIDING_QUESTION and not cleaned.get("guiding_question"):
            self.add_error("guiding_question", _("Choose the guiding question."))
        if kind == AgendaItem.Kind.OTHER and not (cleaned.get("title") or "").strip():
            self.add_error("title", _("Give this step a title."))
        return cleaned


class ItemChangeForm(forms.Form):
    minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=600)
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
