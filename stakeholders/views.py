from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView, TemplateView, View

from common.http import error_text
from stakeholders import services
from stakeholders.forms import (
    DecisionForm,
    DelegateRequestForm,
    FocalPointForm,
    InvitationForm,
    OrganisationReviewForm,
    ProfileForm,
)
from stakeholders.models import AuditEntry, DelegateInvitation, DelegateRequest, Organisation, Profile, display_name
from stakeholders.permissions import (
    PermissionRequiredMixin,
    acts_as_staff,
    can,
    focal_point_government,
    has_second_factor,
    is_staff_member,
    profile_of,
    roles_of,
)
from stakeholders.queues import queues_for
from stakeholders.uploads import attachment_response


class AccountHome(LoginRequiredMixin, TemplateView):
    template_name = "stakeholders/account.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            profile=profile_of(user),
            roles=sorted(roles_of(user)),
            delegate_requests=user.delegate_requests.select_related("organisation")[:10],
            can_request=can(user, "stakeholders.request_delegate_status"),
            can_submit_practices=can(user, "practices.submit"),
            is_staff=is_staff_member(user),
            is_focal_point=focal_point_government(user) is not None,
            **kwargs,
        )


class ProfileEdit(PermissionRequiredMixin, FormView):
    permission = "stakeholders.edit_profile"
    template_name = "stakeholders/profile_form.html"
    form_class = ProfileForm
    success_url = reverse_lazy("stakeholders:account")

    def get_initial(self):
        profile = profile_of(self.request.user)
        names = {"given_name": self.request.user.first_name, "family_name": self.request.user.last_name}
        if profile is None:
            return names
        return {
            **names,
            "badge_name": profile.badge_name,
            "organisation": profile.organisation
            if profile.organisation and profile.organisation.status == "approved"
            else None,
            "constituency": profile.constituency,
            "country": profile.country,
            "position": profile.position,
            "preferred_language": profile.preferred_language,
            "gender": profile.gender,
        }

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        profile = profile_of(self.request.user)
        if profile is not None and profile.delegate_status == profile.DelegateStatus.VERIFIED:
            # A verified delegate's government was verified: only staff change it (the service keeps it).
            for name in ("organisation", "proposed_organisation", "constituency"):
                form.fields[name].disabled = True
            form.fields["organisation"].help_text = _("Verified: ask the co-chairs' staff to change it.")
        return form

    def form_valid(self, form):
        services.save_profile(user=self.request.user, **form.profile_values())
        messages.success(self.request, _("Your profile is saved."))
        return super().form_valid(form)


class DelegateRequestCreate(PermissionRequiredMixin, FormView):
    permission = "stakeholders.request_delegate_status"
    template_name = "stakeholders/delegate_request_form.html"
    form_class = DelegateRequestForm

    def form_valid(self, form):
        try:
            delegate_request = services.request_delegate_status(
                user=self.request.user,
                organisation=form.cleaned_data["organisation"],
                justification=form.cleaned_data["justification"],
                note_verbale=form.cleaned_data.get("note_verbale"),
            )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Your request is sent. The co-chairs' staff will review it."))
        return redirect(delegate_request.get_absolute_url())


def reviewable_delegate_requests(user):
    """The requests ``user`` may decide: every one for staff (with a second factor), their
    government's for a focal point (with one), none for anyone else (a 404, not a 403)."""
    queryset = DelegateRequest.objects.select_related("user", "organisation", "decided_by")
    if can(user, "stakeholders.view_all_delegate_requests"):
        return queryset
    government = focal_point_government(user)
    if government is None or not has_second_factor(user):
        return queryset.none()
    return queryset.filter(organisation_id=government).exclude(user=user)


def visible_delegate_requests(user):
    """Staff see every request, a focal point their government's; a person their own (others are 404s)."""
    if not user.is_authenticated:
        return DelegateRequest.objects.none()
    return reviewable_delegate_requests(user) | DelegateRequest.objects.filter(user=user)


class DelegateRequestDetail(LoginRequiredMixin, DetailView):
    template_name = "stakeholders/delegate_request_detail.html"
    context_object_name = "delegate_request"

    def get_queryset(self):
        return visible_delegate_requests(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, delegate_request = self.request.user, self.object
        if can(user, "stakeholders.review_delegate_requests", delegate_request) and delegate_request.user_id != user.pk:
            # Pending: staff or the focal point decide; decided by a focal point: staff may change it.
            context["may_decide"] = delegate_request.status == DelegateRequest.Status.PENDING
            context["may_override"] = delegate_request.decided_by_focal_point and acts_as_staff(user)
            context["decision_form"] = DecisionForm()
            context["history"] = AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(DelegateRequest), object_id=str(self.object.pk)
            ).select_related("actor")
        return context


class DelegateRequestNote(LoginRequiredMixin, View):
    def get(self, request, pk):
        delegate_request = get_object_or_404(visible_delegate_requests(request.user), pk=pk)
        return attachment_response(delegate_request.note_verbale, download_stem=f"note-verbale-{delegate_request.pk}")


class StaffHome(PermissionRequiredMixin, TemplateView):
    """Each queue that waits for staff, with its count and a link (the queues of stakeholders.queues)."""

    permission = "stakeholders.view_staff_home"
    template_name = "stakeholders/staff_home.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(queues=queues_for(self.request.user), **kwargs)


class StaffDelegateQueue(PermissionRequiredMixin, ListView):
    """Staff see every government's requests; a focal point their government's only."""

    permission = "stakeholders.review_delegate_requests"
    template_name = "stakeholders/staff_delegate_queue.html"
    context_object_name = "delegate_requests"
    paginate_by = 50

    def get_queryset(self):
        status = self.request.GET.get("status", DelegateRequest.Status.PENDING)
        if status not in DelegateRequest.Status.values:
            status = DelegateRequest.Status.PENDING
        self.status = status
        return (
            reviewable_delegate_requests(self.request.user)
            .filter(status=status)
            .select_related("user__profile")
            .order_by("created")
        )

    def get_context_data(self, **kwargs):
        user = self.request.user
        # A focal point is told whose requests these are.
        focal_point_of = profile_of(user).organisation if not acts_as_staff(user) else None
        return super().get_context_data(
            status=self.status, statuses=DelegateRequest.Status.choices, focal_point_of=focal_point_of, **kwargs
        )


class StaffDelegateDecide(PermissionRequiredMixin, View):
    permission = "stakeholders.review_delegate_requests"

    def post(self, request, pk):
        # Another government's request is a 404 for a focal point.
        delegate_request = get_object_or_404(reviewable_delegate_requests(request.user), pk=pk)
        form = DecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose approve or reject."))
            return redirect(delegate_request.get_absolute_url())
        try:
            services.decide_delegate_request(
                delegate_request=delegate_request,
                reviewer=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect(delegate_request.get_absolute_url())
        messages.success(request, _("The decision is recorded and the person is told by email."))
        return redirect("stakeholders:staff-delegate-queue")


class StaffInvitations(PermissionRequiredMixin, FormView):
    permission = "stakeholders.invite_delegate"
    template_name = "stakeholders/staff_invitations.html"
    form_class = InvitationForm
    success_url = reverse_lazy("stakeholders:staff-invitations")

    def get_context_data(self, **kwargs):
        invitations = DelegateInvitation.objects.select_related("organisation", "invited_by", "accepted_by")[:100]
        return super().get_context_data(invitations=invitations, **kwargs)

    def form_valid(self, form):
        try:
            services.invite_delegate(staff=self.request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The invitation is sent to %(email)s.") % form.cleaned_data)
        return super().form_valid(form)


class AcceptInvitation(LoginRequiredMixin, TemplateView):
    template_name = "stakeholders/accept_invitation.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            context["invitation"] = services.invitation_from_token(self.kwargs["token"])
        except ValidationError as error:
            context["error"] = error_text(error)
        return context

    def post(self, request, token):
        try:
            invitation = services.accept_invitation(token=token, user=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
            return redirect(reverse("stakeholders:accept-invitation", kwargs={"token": token}))
        messages.success(
            request,
            _("You are now a verified delegate of %(organisation)s.") % {"organisation": invitation.organisation},
        )
        return redirect("stakeholders:account")


class AuditTrail(PermissionRequiredMixin, ListView):
    """Staff read the audit trail, optionally for one object: ?object=app_label.model:pk."""

    permission = "stakeholders.view_audit_trail"
    template_name = "stakeholders/audit_trail.html"
    context_object_name = "entries"
    paginate_by = 50

    def get_queryset(self):
        queryset = AuditEntry.objects.select_related("actor", "content_type")
        self.object_filter = self.request.GET.get("object", "").strip()
        self.action_filter = self.request.GET.get("action", "").strip()
        if self.object_filter:
            label, _sep, pk = self.object_filter.partition(":")
            app_label, _dot, model = label.partition(".")
            content_type = ContentType.objects.filter(app_label=app_label, model=model).first()
            if content_type is None or not pk:
                return queryset.none()
            queryset = queryset.filter(content_type=content_type, object_id=pk)
        if self.action_filter:
            queryset = queryset.filter(action__startswith=self.action_filter)
        return queryset

    def get_context_data(self, **kwargs):
        return super().get_context_data(object_filter=self.object_filter, action_filter=self.action_filter, **kwargs)


class StaffOrganisationQueue(PermissionRequiredMixin, ListView):
    """Organisations that participants proposed, waiting for staff (or rejected: ?status=rejected)."""

    permission = "stakeholders.review_organisations"
    template_name = "stakeholders/staff_organisation_queue.html"
    context_object_name = "organisations"
    paginate_by = 50
    STATUSES = (Organisation.Status.PROPOSED, Organisation.Status.REJECTED)

    def get_queryset(self):
        status = self.request.GET.get("status", Organisation.Status.PROPOSED)
        self.status = status if status in self.STATUSES else Organisation.Status.PROPOSED
        return (
            Organisation.objects.filter(status=self.status)
            .select_related("proposed_by")
            .annotate(member_count=Count("members"))
            .order_by("proposed_at", "name")
        )

    def get_context_data(self, **kwargs):
        statuses = [(status.value, status.label) for status in self.STATUSES]
        return super().get_context_data(status=self.status, statuses=statuses, **kwargs)


class StaffOrganisationReview(PermissionRequiredMixin, FormView):
    """One proposed organisation: who proposed it, who names it; approve, merge or reject it."""

    permission = "stakeholders.review_organisations"
    template_name = "stakeholders/staff_organisation_review.html"
    form_class = OrganisationReviewForm

    @cached_property
    def organisation(self):
        # Only what the queue lists: an approved organisation is edited in the admin.
        return get_object_or_404(
            Organisation.objects.select_related("proposed_by"), pk=self.kwargs["pk"], status__in=self.STATUSES
        )

    STATUSES = StaffOrganisationQueue.STATUSES

    def get(self, request, *args, **kwargs):
        self.organisation  # noqa: B018 - a 404 before anything else
        return super().get(request, *args, **kwargs)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        form.fields["into"].queryset = form.fields["into"].queryset.exclude(pk=self.organisation.pk)
        return form

    def get_context_data(self, **kwargs):
        organisation = self.organisation
        return super().get_context_data(
            organisation=organisation,
            proposer=services.proposer_of(organisation),
            members=Profile.objects.filter(organisation=organisation).select_related("user").order_by("pk")[:20],
            member_count=Profile.objects.filter(organisation=organisation).count(),
            history=AuditEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(Organisation), object_id=str(organisation.pk)
            ).select_related("actor"),
            **kwargs,
        )

    def form_valid(self, form):
        decision, staff = form.cleaned_data["decision"], self.request.user
        try:
            if decision == "approve":
                services.approve_organisation(organisation=self.organisation, staff=staff)
            elif decision == "merge":
                services.merge_organisation(organisation=self.organisation, into=form.cleaned_data["into"], staff=staff)
            else:
                services.reject_organisation(
                    organisation=self.organisation, staff=staff, reason=form.cleaned_data["reason"]
                )
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("The decision is recorded and the person who proposed it is told by email."))
        return redirect("stakeholders:staff-organisations")


class StaffFocalPoints(PermissionRequiredMixin, FormView):
    """The focal points of governments: staff appoint a verified delegate, or end the role."""

    permission = "stakeholders.appoint_focal_points"
    template_name = "stakeholders/staff_focal_points.html"
    form_class = FocalPointForm
    success_url = reverse_lazy("stakeholders:staff-focal-points")

    def get_context_data(self, **kwargs):
        focal_points = (
            Profile.objects.filter(focal_point_for__isnull=False)
            .select_related("user", "focal_point_for")
            .order_by("focal_point_for__name", "user__email")
        )
        return super().get_context_data(focal_points=focal_points, **kwargs)

    def form_valid(self, form):
        profile = form.cleaned_data["profile"]
        try:
            services.appoint_focal_point(user=profile.user, staff=self.request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(person)s is now the focal point of %(government)s.")
            % {"person": display_name(profile.user), "government": profile.organisation},
        )
        return super().form_valid(form)


class StaffFocalPointRemove(PermissionRequiredMixin, View):
    permission = "stakeholders.appoint_focal_points"

    def post(self, request, pk):
        profile = get_object_or_404(Profile.objects.select_related("user"), pk=pk, focal_point_for__isnull=False)
        services.remove_focal_point(user=profile.user, staff=request.user)
        messages.success(request, _("%(person)s is no longer a focal point.") % {"person": display_name(profile.user)})
        return redirect("stakeholders:staff-focal-points")
