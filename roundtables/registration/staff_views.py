"""Registration for sessions, the staff's pages (under /staff/: the second factor is required
first): a session's policy, its registrations (filters, counts, cancel or promote with a reason),
their CSV export, the door's check-in and the badges.
"""

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from common.csvexport import csv_response
from common.http import error_text, is_htmx, no_store
from roundtables.models import BadgeJob, Registration, RegistrationPolicy, Session
from roundtables.programme.queries import forum_or_404
from roundtables.registration import badges, services
from roundtables.registration.forms import (
    BadgeForm,
    CheckInForm,
    RegistrationFilterForm,
    RegistrationPolicyForm,
    StaffActionForm,
)
from roundtables.registration.queries import in_constituency_order, seat_pool_label, seat_pools, waitlist_positions
from roundtables.registration.tickets import registration_page_url
from stakeholders.models import constituency_label, display_name
from stakeholders.permissions import PermissionRequiredMixin

STAFF_PAGE_SIZE = 100


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
            row.seats_label = seat_pool_label(row.seat_pool)
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
        constituencies = in_constituency_order({constituency for constituency, _status in cells})
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
        positions = waitlist_positions(self.session)
        queryset = (
            Registration.objects.filter(session=self.session)
            .select_related("person__profile__organisation")
            .order_by("id")
        )
        for registration in queryset.iterator(chunk_size=500):
            person = registration.person
            profile = getattr(person, "profile", None)
            yield [
                person.email,
                person.get_full_name(),
                profile.organisation.name if profile and profile.organisation else "",
                profile.position if profile else "",
                constituency_label(registration.constituency),
                statuses.get(registration.status, registration.status),
                seat_pool_label(registration.seat_pool),
                positions.get(registration.pk, ""),
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
    """The door: type or scan a code; the page says who it is, and the field is focused and empty
    again for the next person (a USB scanner types the code and presses Enter)."""

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
        context = {"outcome": outcome, "outcome_level": CHECK_IN_MESSAGES[outcome], "checked": registration}
        if registration:
            profile = getattr(registration.person, "profile", None)
            first = timezone.localtime(registration.checked_in_at) if registration.checked_in_at else None
            context.update(
                checked_name=display_name(registration.person),
                checked_organisation=profile.organisation.name if profile and profile.organisation else "",
                checked_constituency=constituency_label(registration.constituency),
                # A second check-in on another day says which day the first one was.
                first_checked_in=first,
                first_checked_in_today=bool(first) and first.date() == timezone.localdate(),
            )
        # A new, empty form: the field is empty for the next person.
        return self.render_to_response(self.get_context_data(form=CheckInForm(), **context))


# --- Badges ---------------------------------------------------------------------------------------


class StaffBadges(StaffSessionMixin, FormView):
    """Print the badges of the session's confirmed participants: up to WORKER_THRESHOLD at once (the
    PDF is the answer), a larger set by a worker (the answer is the job's progress page)."""

    template_name = "roundtables/registration/staff_badges.html"
    form_class = BadgeForm

    def _confirmed(self):
        return badges.confirmed_for_badges(session=self.session)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "registrations": self._confirmed()}

    def get_initial(self):
        return {"registration": self.request.GET.get("registration") or None}

    def get_context_data(self, **kwargs):
        per_constituency = (
            Registration.objects.filter(session=self.session, status=Registration.Status.CONFIRMED)
            .order_by()
            .values_list("constituency")
            .annotate(count=Count("id"))
        )
        counts = dict(per_constituency)
        rows = [
            {"label": constituency_label(value), "count": counts[value]} for value in in_constituency_order(set(counts))
        ]
        jobs = BadgeJob.objects.filter(session=self.session).select_related("requested_by")[:5]
        return super().get_context_data(
            constituency_counts=rows,
            confirmed=sum(counts.values()),
            threshold=badges.WORKER_THRESHOLD,
            jobs=jobs,
            colours=[(constituency_label(value), colour) for value, colour in badges.COLOURS.items()],
            **kwargs,
        )

    def form_valid(self, form):
        constituency, registration_id = form.selection()
        registrations = badges.confirmed_for_badges(
            session=self.session, constituency=constituency, registration_id=registration_id
        )
        count = registrations.count()
        if not count:
            form.add_error(None, _("No confirmed participant matches this choice."))
            return self.form_invalid(form)
        layout = form.cleaned_data["layout"]
        if count > badges.WORKER_THRESHOLD:
            job = services.request_badges(
                session=self.session,
                staff=self.request.user,
                layout=layout,
                constituency=constituency,
                registration=form.cleaned_data.get("registration"),
            )
            return redirect("roundtables:staff-badge-job", pk=job.pk)
        try:
            pdf = badges.render(registrations, layout=layout)
        except badges.PdfUnavailable as error:
            form.add_error(None, _("The PDF cannot be made on this server: %(reason)s") % {"reason": error})
            response = self.form_invalid(form)
            response.status_code = 503
            return response
        return _pdf_response(pdf, f"badges-{self.session.slug}.pdf")


def _pdf_response(pdf, filename):
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return no_store(response)


def badge_job_or_404(pk):
    """A badge job of the current forum's sessions (another forum's is a 404)."""
    return get_object_or_404(
        BadgeJob.objects.select_related("session__forum", "requested_by").defer("pdf"),
        pk=pk,
        session__forum=forum_or_404(),
    )


class StaffBadgeJob(PermissionRequiredMixin, TemplateView):
    """A large set of badges being made: htmx asks for the bar every second until the PDF is ready.
    The state is the job's row: a reload or a worker restart changes nothing."""

    permission = "roundtables.manage_registrations"
    template_name = "roundtables/registration/staff_badge_job.html"
    partial_template_name = "roundtables/registration/_badge_job_progress.html"

    def get(self, request, pk):
        job = badge_job_or_404(pk)
        if job.status in (BadgeJob.Status.QUEUED, BadgeJob.Status.RUNNING):
            # A job whose worker was lost is sent again from here, the page staff watch while they wait.
            services.revive_stalled_badge_jobs(job_ids=[job.pk])
        htmx = is_htmx(request)
        template = self.partial_template_name if htmx else self.template_name
        context = {"job": job, "session": job.session}
        return no_store(self.response_class(request=request, template=[template], context=context))


class StaffBadgeJobPdf(PermissionRequiredMixin, View):
    """The PDF a worker made; a 404 until it is ready."""

    permission = "roundtables.manage_registrations"

    def get(self, request, pk):
        job = get_object_or_404(BadgeJob.objects.select_related("session"), pk=pk, session__forum=forum_or_404())
        if job.status != BadgeJob.Status.DONE or job.pdf is None:
            raise Http404
        return _pdf_response(bytes(job.pdf), f"badges-{job.session.slug}-{job.pk}.pdf")
