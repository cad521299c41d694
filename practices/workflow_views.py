"""The good-practice workflow: delegates draft, submit and withdraw; co-chair staff review.

Who may do what is asked of ``stakeholders.permissions.can``; every rule of the workflow
(statuses, what a submission needs, the version check, attachments) lives in
``practices.services``. A practice someone may not see is a 404; one they see but may not
change is a 403.
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from django.views.generic import ListView, View

from common.http import error_text
from practices import services
from practices.forms import PracticeForm, ReviewForm, WithdrawForm
from practices.models import Practice, Transition
from practices.services import VersionConflict, visible_practices
from stakeholders.models import Constituency
from stakeholders.permissions import PermissionRequiredMixin, can, profile_of

Status = Practice.Status
FORM_TEMPLATE = "practices/practice_form.html"


def _visible_or_404(user, pk):
    return get_object_or_404(visible_practices(user).select_related("organisation", "created_by"), pk=pk)


def _history(practice):
    return practice.transitions.select_related("actor")


def _add_errors(form, error):
    """A service's ValidationError next to the fields it names, or at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _as_form_data(initial):
    """A practice's values as a browser would post them, to show a saved draft with its errors."""
    data = MultiValueDict()
    for name, value in initial.items():
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data.setlist(name, [str(item) for item in value])
        elif value is True:
            data[name] = "on"
        elif hasattr(value, "isoformat"):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


def _render_form(request, form, *, practice, status=200, **extra):
    context = {
        "form": form,
        "practice": practice,
        "form_action": reverse("practices:edit", kwargs={"pk": practice.pk})
        if practice
        else reverse("practices:create"),
        "history": _history(practice) if practice else (),
        "attachments": form.attachments,
        **extra,
    }
    if practice is not None and practice.status == Status.CHANGES_REQUESTED:
        context["changes_requested"] = (
            practice.transitions.filter(to_status=Status.CHANGES_REQUESTED).order_by("-created", "-id").first()
        )
    return render(request, FORM_TEMPLATE, context, status=status)


def _show_missing(request, practice, error, *, data=None):
    """The saved draft in the form, with what a review needs next to each field (a 200, not a redirect)."""
    practice = Practice.objects.select_related("organisation").get(pk=practice.pk)
    if data is None:
        data = _as_form_data(PracticeForm.initial_from(practice))
    else:
        data = data.copy()
        data.pop("remove_attachments", None)  # done: the removed files are gone
        data["version"] = str(practice.version)  # the draft was saved: the form now edits that version
    form = PracticeForm(data, practice=practice, attachments=practice.attachments.all())
    form.is_valid()
    _add_errors(form, error)
    return _render_form(
        request,
        form,
        practice=practice,
        notice=_(
            "Your draft is saved, but it cannot be sent for review yet: complete the fields marked below, "
            "then press “Submit for review” again."
        ),
    )


def _save(request, practice):
    """Save the form as a draft (create or update), then submit it if that button was pressed."""
    attachments = list(practice.attachments.all()) if practice else []
    form = PracticeForm(request.POST, request.FILES, practice=practice, attachments=attachments)
    if not form.is_valid():
        return _render_form(request, form, practice=practice, refused=True)
    data = form.practice_data()
    try:
        with transaction.atomic():
            if practice is None:
                saved = services.create_draft(author=request.user, data=data)
            else:
                saved = services.save_draft(
                    practice=practice, editor=request.user, data=data, version=form.cleaned_data.get("version") or 0
                )
            for attachment in form.removed_attachments():
                services.remove_attachment(attachment=attachment, editor=request.user)
            for upload, title in form.uploads():
                services.add_attachment(practice=saved, editor=request.user, uploaded=upload, title=title)
    except VersionConflict as conflict:
        return _render_form(request, form, practice=practice, conflict=error_text(conflict))
    except ValidationError as error:
        _add_errors(form, error)
        return _render_form(request, form, practice=practice, refused=True)

    if "submit" not in request.POST:
        messages.success(request, _("Your draft is saved. Only your government's delegates and the reviewers see it."))
        return redirect("practices:edit", pk=saved.pk)
    try:
        services.transition(practice=saved, actor=request.user, action="submit")
    except ValidationError as error:
        return _show_missing(request, saved, error, data=request.POST)
    messages.success(request, _("Your practice is sent for review. You will be told by email of the decision."))
    return redirect("practices:mine")


class PracticeCreate(PermissionRequiredMixin, View):
    """A verified delegate starts a practice for their government."""

    permission = "practices.submit"

    def get(self, request):
        return _render_form(request, PracticeForm(), practice=None)

    def post(self, request):
        return _save(request, None)


class EditablePracticeMixin(LoginRequiredMixin):
    """The practice of the URL: a 404 if the person may not see it, a 403 if they may not change it."""

    def practice(self):
        practice = _visible_or_404(self.request.user, self.kwargs["pk"])
        if not can(self.request.user, "practices.edit", practice):
            raise PermissionDenied
        return practice


class PracticeEdit(EditablePracticeMixin, View):
    """The same form, for the government's delegates, while a draft or when changes are requested."""

    def get(self, request, pk):
        practice = self.practice()
        attachments = list(practice.attachments.all())
        form = PracticeForm(initial=PracticeForm.initial_from(practice), practice=practice, attachments=attachments)
        return _render_form(request, form, practice=practice)

    def post(self, request, pk):
        return _save(request, self.practice())


class PracticeSubmit(LoginRequiredMixin, View):
    """One click from "My practices": submit a saved draft; what is missing is shown in the form."""

    http_method_names = ["post"]

    def post(self, request, pk):
        practice = _visible_or_404(request.user, pk)
        if not can(request.user, "practices.submit_for_review", practice):
            raise PermissionDenied
        try:
            services.transition(practice=practice, actor=request.user, action="submit")
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                return _show_missing(request, practice, error)
            messages.error(request, error_text(error))
            return redirect("practices:mine")
        messages.success(request, _("Your practice is sent for review. You will be told by email of the decision."))
        return redirect("practices:mine")


class PracticeWithdraw(LoginRequiredMixin, View):
    """The government's delegates take their published practice out of the public database."""

    http_method_names = ["post"]

    def post(self, request, pk):
        practice = _visible_or_404(request.user, pk)
        if not can(request.user, "practices.withdraw", practice):
            raise PermissionDenied
        form = WithdrawForm(request.POST)
        comment = form.cleaned_data["comment"] if form.is_valid() else ""
        try:
            services.transition(practice=practice, actor=request.user, action="withdraw", comment=comment)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(request, _("The practice is withdrawn: it is no longer public."))
        return redirect("practices:mine")


class MyPractices(PermissionRequiredMixin, ListView):
    """The practices of my government, in every status, with the reviewers' comments."""

    permission = "practices.submit"
    template_name = "practices/mine.html"
    context_object_name = "practices"
    paginate_by = 50

    def get_queryset(self):
        organisation_id = profile_of(self.request.user).organisation_id
        comments = Transition.objects.exclude(comment="").select_related("actor").order_by("-created", "-id")
        return (
            visible_practices(self.request.user)
            .filter(organisation_id=organisation_id)
            .select_related("created_by")
            .prefetch_related(Prefetch("transitions", queryset=comments, to_attr="comments"))
            .order_by("-updated", "-id")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organisation=profile_of(self.request.user).organisation,
            editable={Status.DRAFT, Status.CHANGES_REQUESTED},
            **kwargs,
        )


# --- Co-chair staff ----------------------------------------------------------------------------

WAITING = "waiting"


class ReviewQueue(PermissionRequiredMixin, ListView):
    """Practices waiting for a decision, oldest first; or those of one status."""

    permission = "practices.review"
    template_name = "practices/review_queue.html"
    context_object_name = "practices"
    paginate_by = 50

    def get_queryset(self):
        status = self.request.GET.get("status", WAITING)
        statuses = [value for value in Status.values if value != Status.DRAFT]
        self.status = status if status in statuses else WAITING
        wanted = Q(status__in=[Status.SUBMITTED, Status.IN_REVIEW]) if self.status == WAITING else Q(status=self.status)
        return (
            visible_practices(self.request.user)
            .filter(wanted)
            .select_related("organisation")
            .order_by(F("submitted_at").asc(nulls_last=True), "id")
        )

    def get_context_data(self, **kwargs):
        filters = [(WAITING, _("Waiting for a decision"))] + [
            (value, label) for value, label in Status.choices if value != Status.DRAFT
        ]
        return super().get_context_data(status=self.status, filters=filters, **kwargs)


class Review(PermissionRequiredMixin, View):
    """A practice's content, files and history, and the reviewers' steps."""

    permission = "practices.review"
    template_name = "practices/review.html"

    def get(self, request, pk):
        return self.page(_visible_or_404(request.user, pk), ReviewForm())

    def page(self, practice, form, status=200):
        labels = dict(Constituency.choices)
        actions = [action for action in ReviewForm.ACTIONS if practice.status in services.WORKFLOW[action][0]]
        context = {
            "practice": practice,
            "form": form,
            "actions": actions,
            "attachments": practice.attachments.all(),
            "history": _history(practice),
            "sdg_targets": practice.sdg_targets.order_by("goal__number", "position"),
            "compact_themes": practice.compact_themes.order_by("code"),
            "round_tables": practice.round_tables.select_related("forum"),
            "constituency_labels": [labels.get(value, value) for value in practice.constituencies],
            "links": [line for line in practice.links.splitlines() if line.startswith(("https://", "http://"))],
        }
        return render(self.request, self.template_name, context, status=status)

    def post(self, request, pk):
        practice = _visible_or_404(request.user, pk)
        form = ReviewForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose one of the steps below."))
            return self.page(practice, form)
        action = form.cleaned_data["action"]
        try:
            practice = services.transition(
                practice=practice, actor=request.user, action=action, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            messages.error(request, error_text(error))
            return self.page(Practice.objects.select_related("organisation", "created_by").get(pk=pk), form)
        messages.success(
            request,
            _("“%(title)s” is now “%(status)s”.") % {"title": practice.title, "status": practice.get_status_display()},
        )
        if action == "start_review":
            return redirect("practices:review", pk=practice.pk)
        return redirect("practices:review-queue")
