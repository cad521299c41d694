"""Registration for sessions, the common space first: the participant's page, and their own
registrations (cancel, calendar file, QR code). The staff's pages are in ``staff_views``.

Every rule (seats, waiting list, who may register, promotion) lives in ``registration.services``
and ``registration.queries``; these views only call them and show what they answer.
"""

from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from common.http import error_text, no_store
from roundtables.agenda.queries import place
from roundtables.models import OPEN_SEATS, Forum, Registration, RegistrationPolicy, Session
from roundtables.registration import services, tickets
from roundtables.registration.forms import RegistrationForm
from roundtables.registration.queries import (
    UNOPENED,
    CurrentForumSession,
    live_registrations,
    registration_state,
    seat_pools,
    waitlist_position,
)
from roundtables.registration.services import RegistrationRefused
from roundtables.registration.tickets import COMMON_SPACE, registration_page_url
from stakeholders.models import constituency_label
from stakeholders.permissions import PermissionRequiredMixin, can, has_verified_email, profile_of

# --- The participant's page -----------------------------------------------------------------


class RegistrationPageMixin:
    """The session of the URL (the common space by default): the current forum's, published, with a
    policy. The common space is announced before staff open it: its page shows without a policy,
    saying that registration is not open yet; registering (``policy_required``) needs one."""

    template_name = "roundtables/registration/session.html"
    policy_required = False

    def sessions(self):
        """The session of the URL as a queryset (``CurrentForumSession``), with its forum and policy
        in the same query."""
        slug = self.kwargs.get("slug", COMMON_SPACE)
        sessions = Session.objects.select_related("forum", "registration_policy").filter(
            **CurrentForumSession(slug).lookup()
        )
        if self.policy_required or slug != COMMON_SPACE:
            sessions = sessions.filter(registration_policy__isnull=False)
        return sessions

    @cached_property
    def session(self):
        return get_object_or_404(self.sessions().prefetch_related("registration_policy__seat_quotas"))

    @cached_property
    def policy(self):
        try:
            return self.session.registration_policy
        except RegistrationPolicy.DoesNotExist:
            return None

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
            registration = live_registrations(session=session, person=user).first()
            if registration:
                position = waitlist_position(registration)
            elif form is None and policy is not None:
                # Why this person may not register now (not verified, not yet open, closed, constituency).
                try:
                    services.check_eligibility(policy=policy, person=user)
                except RegistrationRefused as error:
                    refusal = error_text(error)
        pools = seat_pools(policy) if policy else []
        constituency = profile.constituency if profile else ""
        own_pools = [pool for pool in pools if pool["key"] in (constituency, OPEN_SEATS)]
        timing = tickets.when(session)
        context = {
            "session": session,
            "forum": session.forum,
            "policy": policy,
            "state": registration_state(policy) if policy else UNOPENED,
            "timing": timing,
            "place": place(session),
            "pools": pools,
            "constituency": constituency,
            "constituency_label": constituency_label(constituency) if constituency else "",
            "own_pools": own_pools,
            "seats_for_you": sum(pool["left"] for pool in own_pools),
            "eligible_labels": [constituency_label(value) for value in policy.eligible_constituencies]
            if policy
            else [],
            "registration": registration,
            "position": position,
            "refusal": refusal,
            "needs_email": bool(refusal) and not has_verified_email(user),
            "form": (form or RegistrationForm(policy=policy)) if policy else None,
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
    policy_required = True

    def post(self, request, *args, **kwargs):
        # Every question is read; the service keeps the answers that the session's policy asks. The
        # session is looked up in the statement that locks its policy: a registration costs 8
        # queries with the transaction and the outbox (roundtables/tests/registration/test_views.py).
        form = RegistrationForm(request.POST, policy=None)
        if not form.is_valid():  # perhaps in a question the policy does not ask: asked again with it
            form = RegistrationForm(request.POST, policy=self.policy)
            if not form.is_valid():
                return self.render_page(form=form)
        try:
            registration, created = services.register(
                session=CurrentForumSession(self.kwargs.get("slug", COMMON_SPACE)),
                person=request.user,
                **form.answers(),
            )
        except RegistrationRefused as error:
            return self._refused(RegistrationForm(request.POST, policy=self.policy), error)
        position = registration.position if created else waitlist_position(registration)
        text = _status_message(registration, position)
        if not created:
            text = _("You are already registered.") + " " + text
        if registration.status == Registration.Status.CONFIRMED:
            messages.success(request, text)
        else:
            messages.info(request, text)
        return redirect(self.page_url())

    def _refused(self, form, error):
        """The page again, with what was typed and why it was refused (an unknown session: a 404)."""
        form.is_valid()
        form.add_error(None, error)
        return self.render_page(form=form)


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
            registration.position = waitlist_position(registration)
            session = registration.session
            registration.page_url = (
                registration_page_url(session)
                if session.forum_id == current and session.status == Session.Status.PUBLISHED
                else None
            )
        return super().get_context_data(registrations=registrations, **kwargs)


def _current_forum_id():
    forum = Forum.objects.current()
    return forum.pk if forum else None


def _safe_next(request, target):
    """``target`` when it is a page of this site, else None."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


class RegistrationCancel(LoginRequiredMixin, View):
    """GET asks to confirm; POST cancels, and a freed seat goes to the first person waiting (who is emailed).

    The cancel buttons are links to the question, so that one click never cancels; it works without
    JavaScript. ``next`` (a page of this site) is where both answers lead back to."""

    page_cache_params = ("next",)

    template_name = "roundtables/registration/cancel.html"

    def get(self, request, pk):
        registration = own_registration_or_404(request, pk)
        back = _safe_next(request, request.GET.get("next", "")) or reverse("roundtables:my-registrations")
        if registration.status == Registration.Status.CANCELLED:
            messages.info(request, _("This registration was already cancelled."))
            return redirect(back)
        return render(request, self.template_name, {"registration": registration, "back": back})

    def post(self, request, pk):
        registration = own_registration_or_404(request, pk)
        if registration.status == Registration.Status.CANCELLED:
            messages.info(request, _("This registration was already cancelled."))
        else:
            services.cancel(registration=registration, actor=request.user)
            messages.success(
                request, _("Your registration for %(session)s is cancelled.") % {"session": registration.session}
            )
        return redirect(_safe_next(request, request.POST.get("next", "")) or "roundtables:my-registrations")


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
