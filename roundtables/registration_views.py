"""Registration for sessions, the common space first: the participant's page, their registrations,
and the staff's policy, list, CSV export and door check-in.

Every rule (seats, waiting list, who may register, promotion) lives in ``roundtables.services``;
these views only call it and show what it answers.
"""

from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from common.csvexport import csv_response
from common.http import error_text, no_store
from roundtables import services, tickets
from roundtables.forms import (
    CheckInForm,
    RegistrationFilterForm,
    RegistrationForm,
    RegistrationPolicyForm,
    StaffActionForm,
)
from roundtables.models import OPEN_SEATS, Registration, RegistrationPolicy, Session
from roundtables.programme.queries import forum_or_404
from roundtables.services import RegistrationRefused
from roundtables.tickets import COMMON_SPACE, registration_page_url
from stakeholders.models import Constituency, constituency_label
from stakeholders.permissions import PermissionRequiredMixin, can, has_verified_email, profile_of

STAFF_PAGE_SIZE = 100


def display_name(user):
    """A person's name where they gave one, else their email address (sign-up asks no name)."""
    return user.get_full_name() or user.email


def registration_state(policy, now=None):
    """'not_yet', 'open' or 'closed', by the policy's dates."""
    now = now or timezone.now()
    if policy.opens_at and now < policy.opens_at:
        return "not_yet"
    if policy.closes_at and now >= policy.closes_at:
        return "closed"
    return "open"


def seat_pools(policy):
    """Each pool of seats (a constituency's quota, then the open seats) with its seats taken, in one query."""
    taken = dict(
        Registration.objects.filter(session_id=policy.session_id, status=Registration.Status.CONFIRMED)
        .order_by()
        .values_list("seat_pool")
        .annotate(count=Count("id"))
    )
    quotas = policy.quotas()
    order = [value for value, _label in Constituency.choices]
    keys = sorted(quotas, key=lambda c: order.index(c) if c in order else len(order))
    pools = [
        {"key": key, "label": constituency_label(key), "seats": quotas[key], "taken": taken.get(key, 0)} for key in keys
    ]
    open_seats = policy.open_seats()
    if open_seats or not pools:
        pools.append(
            {"key": OPEN_SEATS, "label": _("Open seats"), "seats": open_seats, "taken": taken.get(OPEN_SEATS, 0)}
        )
    for pool in pools:
        pool["left"] = max(0, pool["seats"] - pool["taken"])
        pool["percent"] = min(100, round(100 * pool["taken"] / pool["seats"])) if pool["seats"] else 100
    return pools


def waitlist_positions(session, ids=None):
    """{registration id: position} for the session's waiting list, in one query (services.waitlist_position
    counts the same way: by id over the whole waiting list)."""
    waiting = Registration.objects.filter(session=session, status=Registration.Status.WAITLISTED).order_by("id")
    positions = {pk: number for number, pk in enumerate(waiting.values_list("id", flat=True), start=1)}
    return positions if ids is None else {pk: positions[pk] for pk in ids if pk in positions}


# --- The participant's page -----------------------------------------------------------------


class RegistrationPageMixin:
    """The session of the URL (the common space by default): the current forum's, published, with a policy."""

    template_name = "roundtables/registration/session.html"

    @cached_property
    def session(self):
        forum = forum_or_404()
        return get_object_or_404(
            Session.objects.select_related("forum", "registration_policy").prefetch_related(
                "registration_policy__seat_quotas"
            ),
            forum=forum,
            slug=self.kwargs.get("slug", COMMON_SPACE),
            status=Session.Status.PUBLISHED,
            registration_policy__isnull=False,
        )

    @property
    def policy(self):
        return self.session.registration_policy

    def page_url(self):
        if "slug" in self.kwargs:
            return reverse("roundtables:session-registration", kwargs={"slug": self.kwargs["slug"]})
        return reverse("roundtables:common-space")

    def register_url(self):
        if "slug" in self.kwargs:
            return reverse("roundtables:session-register", kwargs={"slug": self.kwargs["slug"]})
        return reverse("roundtables:common-space-register")

    def get_context_data(self, form=None, **kwargs):
        user = self.request.user
        session, policy = self.session, self.policy
        registration = position = refusal = None
        profile = profile_of(user)
        if user.is_authenticated:
            registration = (
                Registration.objects.filter(session=session, person=user)
                .exclude(status=Registration.Status.CANCELLED)
                .first()
            )
            if registration:
                position = services.waitlist_position(registration)
            elif form is None:
                # Why this person may not register now (not verified, not yet open, closed, constituency).
                try:
                    services.check_eligibility(policy=policy, person=user)
                except RegistrationRefused as error:
                    refusal = error_text(error)
        pools = seat_pools(policy)
        constituency = profile.constituency if profile else ""
        own_pools = [pool for pool in pools if pool["key"] in (constituency, OPEN_SEATS)]
        timing = tickets.when(session)
        context = {
            "session": session,
            "forum": session.forum,
            "policy": policy,
            "state": registration_state(policy),
            "timing": timing,
            "place": tickets.place(session),
            "pools": pools,
            "constituency": constituency,
            "constituency_label": constituency_label(constituency) if constituency else "",
            "own_pools": own_pools,
            "seats_for_you": sum(pool["left"] for pool in own_pools),
            "eligible_labels": [constituency_label(value) for value in policy.eligible_constituencies],
            "registration": registration,
            "position": position,
            "refusal": refusal,
            "needs_email": bool(refusal) and not has_verified_email(user),
            "form": form or RegistrationForm(policy=policy),
            "page_url": self.page_url(),
            "register_url": self.register_url(),
            "can_manage": can(user, "roundtables.manage_registrations"),
        }
        return super().get_context_data(**context, **kwargs)

    def render_page(self, **kwargs):
        response = self.render_to_response(self.get_context_data(**kwargs))
        # Seats left change with every registration, and the state with the clock: never cached whole.
        response.page_cache_exempt = True
        return response


class SessionRegistrationPage(RegistrationPageMixin, TemplateView):
    """GET /<lang>/common-space/ (and /<lang>/sessions/<slug>/registration/)."""

    def get(self, request, *args, **kwargs):
        return self.render_page()


def _status_message(registration, position):
    if registration.status == Registration.Status.CONFIRMED:
        return _("Your registration is confirmed.")
    return _("You are on the waiting list, position %(position)s. We will email you if a seat frees up.") % {
        "position": position
    }


class SessionRegister(PermissionRequiredMixin, RegistrationPageMixin, TemplateView):
    """POST: register in one step; a refusal is shown on the page with what was typed."""

    permission = "roundtables.register"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = RegistrationForm(request.POST, policy=self.policy)
        if not form.is_valid():
            return self.render_page(form=form)
        try:
            registration, created = services.register(session=self.session, person=request.user, **form.answers())
        except RegistrationRefused as error:
            form.add_error(None, error)
            return self.render_page(form=form)
        text = _status_message(registration, services.waitlist_position(registration))
        if not created:
            text = _("You are already registered.") + " " + text
        if registration.status == Registration.Status.CONFIRMED:
            messages.success(request, text)
        else:
            messages.info(request, text)
        return redirect(self.page_url())


# --- A person's own registrations ------------------------------------------------------------


def own_registration_or_404(request, pk):
    """Someone else's registration is a 404: its existence is not revealed."""
    return get_object_or_404(Registration.objects.select_related("session__forum"), pk=pk, person_id=request.user.pk)


class MyRegistrations(LoginRequiredMixin, TemplateView):
    template_name = "roundtables/registration/my_registrations.html"

    def get_context_data(self, **kwargs):
        current = _current_forum_id()
        registrations = list(
            Registration.objects.filter(person=self.request.user).select_related("session__forum").order_by("-id")
        )
        for registration in registrations:
            registration.position = services.waitlist_position(registration)
            session = registration.session
            registration.page_url = (
                registration_page_url(session)
                if session.forum_id == current and session.status == Session.Status.PUBLISHED
                else None
            )
        return super().get_context_data(registrations=registrations, **kwargs)


def _current_forum_id():
    from roundtables.models import Forum

    forum = Forum.objects.current()
    return forum.pk if forum else None


class RegistrationCancel(LoginRequiredMixin, View):
    """POST: the person cancels; a freed seat goes to the first person waiting (who is emailed)."""

    def post(self, request, pk):
        registration = own_registration_or_404(request, pk)
        if registration.status == Registration.Status.CANCELLED:
            messages.info(request, _("This registration was already cancelled."))
        else:
            services.cancel(registration=registration, actor=request.user)
            messages.success(
                request, _("Your registration for %(session)s is cancelled.") % {"session": registration.session}
            )
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(target)
        return redirect("roundtables:my-registrations")


class RegistrationCalendar(LoginRequiredMixin, View):
    """GET: the registration as an .ics file (stable UID, Berlin time; an all-day event on the forum's days
    while the session has no time yet)."""

    def get(self, request, pk):
        registration = own_registration_or_404(request, pk)
        page_url = request.build_absolute_uri(registration_page_url(registration.session))
        content = tickets.calendar(registration, page_url=page_url)
        if content is None:
            return render(
                request,
                "roundtables/registration/no_date.html",
                {"registration": registration, "session": registration.session},
                status=404,
            )
        response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{registration.session.slug}.ics"'
        return no_store(response)


class RegistrationQr(LoginRequiredMixin, View):
    """GET: the check-in code as an SVG QR code."""

    def get(self, request, pk):
        registration = own_registration_or_404(request, pk)
        return no_store(HttpResponse(tickets.qr_svg(registration.checkin_code), content_type="image/svg+xml"))


# --- Staff -------------------------------------------------------------------------------------


class StaffSessionMixin(PermissionRequiredMixin):
    """A session of the current forum, whatever its status (staff prepare drafts too)."""

    permission = "roundtables.manage_registrations"

    @cached_property
    def session(self):
        return get_object_or_404(
            Session.objects.select_related("forum"), forum=forum_or_404(), slug=self.kwargs["slug"]
        )

    @cached_property
    def policy(self):
        return RegistrationPolicy.objects.filter(session=self.session).prefetch_related("seat_quotas").first()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            session=self.session, policy=self.policy, page_url=registration_page_url(self.session), **kwargs
        )


class StaffRegistrationPolicy(StaffSessionMixin, FormView):
    template_name = "roundtables/registration/staff_policy.html"
    form_class = RegistrationPolicyForm

    def get_initial(self):
        return RegistrationPolicyForm.initial_for(self.policy)

    def get_context_data(self, **kwargs):
        pools = seat_pools(self.policy) if self.policy else []
        return super().get_context_data(pools=pools, **kwargs)

    def form_valid(self, form):
        try:
            services.configure_registration(session=self.session, staff=self.request.user, **form.configuration())
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Registration for %(session)s is saved.") % {"session": self.session})
        return redirect("roundtables:staff-registrations", slug=self.session.slug)


STATUSES = [value for value, _label in Registration.Status.choices]


class StaffRegistrations(StaffSessionMixin, TemplateView):
    """The registrations of a session: filters, counts per constituency and status, fill of the seats,
    and per row cancel or promote (with a reason)."""

    template_name = "roundtables/registration/staff_registrations.html"

    def get_context_data(self, **kwargs):
        session = self.session
        filters = RegistrationFilterForm(self.request.GET)
        filters.is_valid()  # an unknown value is ignored, not an error
        status = filters.cleaned_data.get("status", "")
        constituency = filters.cleaned_data.get("constituency", "")
        queryset = (
            Registration.objects.filter(session=session).select_related("person__profile__organisation").order_by("id")
        )
        if status:
            queryset = queryset.filter(status=status)
        if constituency:
            queryset = queryset.filter(constituency=constituency)
        page = Paginator(queryset, STAFF_PAGE_SIZE).get_page(self.request.GET.get("page"))
        rows = list(page.object_list)
        positions = waitlist_positions(
            session, [row.pk for row in rows if row.status == Registration.Status.WAITLISTED]
        )
        for row in rows:
            row.position = positions.get(row.pk)
            row.name = display_name(row.person)
            row.constituency_label = constituency_label(row.constituency)
            row.seats_label = (
                ""
                if not row.seat_pool
                else (_("Open seats") if row.seat_pool == OPEN_SEATS else constituency_label(row.seat_pool))
            )
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            filters=filters,
            page=page,
            rows=rows,
            query=query.urlencode(),
            counts=self._counts(session),
            statuses=Registration.Status.choices,
            pools=seat_pools(self.policy) if self.policy else [],
            **kwargs,
        )

    def _counts(self, session):
        """Rows per constituency (those with registrations, in the usual order) × status, with totals."""
        cells = {}
        for row in (
            Registration.objects.filter(session=session)
            .order_by()
            .values("constituency", "status")
            .annotate(count=Count("id"))
        ):
            cells[(row["constituency"], row["status"])] = row["count"]
        order = [value for value, _label in Constituency.choices]
        constituencies = sorted(
            {constituency for constituency, _status in cells},
            key=lambda c: order.index(c) if c in order else len(order),
        )
        rows = []
        for constituency in constituencies:
            values = [cells.get((constituency, status), 0) for status in STATUSES]
            rows.append({"label": constituency_label(constituency), "values": values, "total": sum(values)})
        totals = [sum(row["values"][index] for row in rows) for index in range(len(STATUSES))]
        return {"rows": rows, "totals": totals, "total": sum(totals)}

    def post(self, request, *args, **kwargs):
        form = StaffActionForm(request.POST)
        back = request.get_full_path()
        if not form.is_valid():
            messages.error(request, _("Give the reason, then press the button again."))
            return redirect(back)
        registration = get_object_or_404(
            Registration.objects.select_related("person", "session"),
            pk=form.cleaned_data["registration"],
            session=self.session,
        )
        reason = form.cleaned_data["reason"]
        name = display_name(registration.person)
        try:
            if form.cleaned_data["action"] == "cancel":
                if registration.status == Registration.Status.CANCELLED:
                    raise ValidationError(_("This registration was already cancelled."))
                promoted = services.cancel(registration=registration, actor=request.user, reason=reason)
                text = _("The registration of %(name)s is cancelled; they are told by email.") % {"name": name}
                if promoted:
                    text += " " + _("%(name)s had the first place on the waiting list and now has the seat.") % {
                        "name": display_name(promoted.person)
                    }
            else:
                services.promote(registration=registration, staff=request.user, reason=reason)
                text = _("%(name)s is confirmed; they are told by email.") % {"name": name}
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect(back)
        messages.success(request, text)
        return redirect(back)


class StaffRegistrationsCsv(StaffSessionMixin, View):
    """Every registration of the session as CSV, spreadsheet-safe (see common.csvexport)."""

    def get(self, request, *args, **kwargs):
        header = [
            _("Email"),
            _("Name"),
            _("Organisation"),
            _("Position"),
            _("Constituency"),
            _("Status"),
            _("Seats"),
            _("Waiting-list position"),
            _("Accessibility needs"),
            _("Visa support letter needed"),
            _("Dietary needs"),
            _("Registered"),
            _("Checked in"),
            _("Cancelled"),
        ]
        return csv_response(f"registrations-{self.session.slug}.csv", header, self._rows())

    def _rows(self):
        yes, no = _("yes"), _("no")
        statuses = dict(Registration.Status.choices)
        position = 0
        queryset = (
            Registration.objects.filter(session=self.session)
            .select_related("person__profile__organisation")
            .order_by("id")
        )
        for registration in queryset.iterator(chunk_size=500):
            person = registration.person
            profile = getattr(person, "profile", None)
            if registration.status == Registration.Status.WAITLISTED:
                position += 1
            yield [
                person.email,
                person.get_full_name(),
                profile.organisation.name if profile and profile.organisation else "",
                profile.position if profile else "",
                constituency_label(registration.constituency),
                statuses.get(registration.status, registration.status),
                _("Open seats")
                if registration.seat_pool == OPEN_SEATS
                else constituency_label(registration.seat_pool)
                if registration.seat_pool
                else "",
                position if registration.status == Registration.Status.WAITLISTED else "",
                registration.accessibility_needs,
                {True: yes, False: no}.get(registration.visa_letter_needed, ""),
                registration.dietary_needs,
                _local(registration.created),
                _local(registration.checked_in_at),
                _local(registration.cancelled_at),
            ]


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


CHECK_IN_MESSAGES = {
    "checked_in": "success",
    "already": "warning",
    "unknown": "danger",
    "not_confirmed": "danger",
}


class StaffCheckIn(StaffSessionMixin, TemplateView):
    """The door: type or scan a code; the field is empty again for the next person."""

    template_name = "roundtables/registration/staff_check_in.html"

    def get_context_data(self, **kwargs):
        totals = Registration.objects.filter(session=self.session).aggregate(
            confirmed=Count("id", filter=Q(status=Registration.Status.CONFIRMED)),
            checked_in=Count("id", filter=Q(status=Registration.Status.CONFIRMED, checked_in_at__isnull=False)),
        )
        kwargs.setdefault("form", CheckInForm())
        return super().get_context_data(totals=totals, **kwargs)

    def post(self, request, *args, **kwargs):
        form = CheckInForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        registration, outcome = services.check_in(
            session=self.session, code=form.cleaned_data["code"], staff=request.user
        )
        return self.render_to_response(
            self.get_context_data(
                outcome=outcome,
                outcome_level=CHECK_IN_MESSAGES[outcome],
                checked=registration,
                checked_name=display_name(registration.person) if registration else "",
                checked_constituency=constituency_label(registration.constituency) if registration else "",
                form=CheckInForm(),  # empty for the next person
            )
        )
