"""Contributions, the staff's moderation queue (under /staff/: the second factor is required first):
filters, accept, reject with a reason, mark as a duplicate, accept the selected at once, and
whether the public sees contributors' names."""

from functools import cached_property

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from roundtables.contributions import services
from roundtables.contributions.forms import (
    ALL,
    ContributionFilterForm,
    ContributorNamesForm,
    ModerationForm,
    add_errors,
)
from roundtables.contributions.queries import Status
from roundtables.models import Contribution
from roundtables.programme.queries import forum_or_404
from stakeholders.models import constituency_label
from stakeholders.permissions import PermissionRequiredMixin

QUEUE_PAGE_SIZE = 50


class ContributionQueue(PermissionRequiredMixin, TemplateView):
    """GET/POST /<lang>/staff/contributions/: the contributions of the current forum, filtered by round
    table, status and kind, paginated; per row accept, reject with a reason or mark as a duplicate;
    accept the selected at once; and whether the public sees contributors' names."""

    permission = "roundtables.moderate_contributions"
    template_name = "roundtables/contributions/queue.html"

    @cached_property
    def forum(self):
        return forum_or_404()

    def get_context_data(self, failed=None, failed_form=None, **kwargs):
        filters = ContributionFilterForm(self.request.GET, forum=self.forum)
        round_table, status, kind = filters.values()
        queryset = (
            Contribution.objects.filter(round_table__forum=self.forum)
            .select_related("round_table", "guiding_question", "author")
            .order_by("id")
        )
        if round_table is not None:
            queryset = queryset.filter(round_table=round_table)
        if status != ALL:
            queryset = queryset.filter(status=status)
        if kind:
            queryset = queryset.filter(kind=kind)
        page = Paginator(queryset, QUEUE_PAGE_SIZE).get_page(self.request.GET.get("page"))
        rows = list(page.object_list)
        for row in rows:
            row.constituency_label = constituency_label(row.constituency)
            row.failed_form = failed_form if row.pk == failed else None
        counts = dict(
            Contribution.objects.filter(round_table__forum=self.forum)
            .order_by()
            .values_list("status")
            .annotate(count=Count("id"))
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            forum=self.forum,
            filters=filters,
            # The filter's choices, read once (a ModelChoiceField renders with two queries).
            round_tables=list(self.forum.round_tables.order_by("position", "code")),
            round_table=round_table,
            kind=kind,
            status=status,
            page=page,
            rows=rows,
            query=query.urlencode(),
            counts=[(value, label, counts.get(value, 0)) for value, label in Status.choices],
            names_form=ContributorNamesForm(initial={"show_contributor_names": self.forum.show_contributor_names}),
            any_submitted=any(row.status == Status.SUBMITTED for row in rows),
            failed=failed,
            failed_form=failed_form,
            failed_on_page=any(row.pk == failed for row in rows),
            **kwargs,
        )

    def back(self):
        # A form on another staff page (the declaration's sources panel) names where to go back to.
        target = self.request.POST.get("next", "")
        if target.startswith("/") and url_has_allowed_host_and_scheme(target, allowed_hosts={self.request.get_host()}):
            return redirect(target)
        return redirect(self.request.get_full_path())

    def post(self, request, *args, **kwargs):
        action = request.POST.get("action", "")
        if action == "names":
            return self.post_names()
        if action == "accept_selected":
            return self.post_accept_selected()
        return self.post_decision()

    def post_names(self):
        form = ContributorNamesForm(self.request.POST)
        form.is_valid()
        show = form.cleaned_data.get("show_contributor_names", False)
        services.set_contributor_names(forum=self.forum, staff=self.request.user, show=show)
        if show:
            messages.success(self.request, _("Public pages now show contributors' names and organisations."))
        else:
            messages.success(self.request, _("Public pages now show contributions by constituency only."))
        return self.back()

    def post_accept_selected(self):
        ids = [int(value) for value in self.request.POST.getlist("selected") if value.isdigit()]
        if not ids:
            messages.error(self.request, _("Tick the contributions to accept first."))
            return self.back()
        # Only contributions of the forum on screen; the service accepts those still awaiting moderation.
        ids = list(Contribution.objects.filter(pk__in=ids, round_table__forum=self.forum).values_list("pk", flat=True))
        accepted = services.accept_many(ids=ids, staff=self.request.user)
        if not accepted:
            messages.error(self.request, _("None of the ticked contributions was awaiting moderation."))
        else:
            messages.success(
                self.request,
                _("%(count)s contributions accepted; their authors are told by email.") % {"count": accepted},
            )
        return self.back()

    def refused(self, contribution, form):
        """The queue again, the row open with what was typed and why it was refused."""
        return self.render_to_response(self.get_context_data(failed=contribution.pk, failed_form=form))

    def post_decision(self):
        contribution = get_object_or_404(
            Contribution.objects.filter(round_table__forum=self.forum), pk=self.request.POST.get("contribution") or 0
        )
        form = ModerationForm(self.request.POST)
        if not form.is_valid():
            return self.refused(contribution, form)
        action = form.cleaned_data["action"]
        try:
            if action == "accept":
                services.accept(contribution=contribution, staff=self.request.user)
                text = _("Contribution #%(number)s is accepted; its author is told by email.")
            elif action == "reject":
                services.reject(contribution=contribution, staff=self.request.user, reason=form.cleaned_data["reason"])
                text = _("Contribution #%(number)s is rejected; its author is told by email, with the reason.")
            elif action == "same_as":
                contribution = services.mark_same_as(
                    contribution=contribution, staff=self.request.user, same_as=form.cleaned_data["same_as"]
                )
                messages.success(
                    self.request,
                    _("Contribution #%(number)s is marked the same as #%(other)s: the next compile merges them.")
                    % {"number": contribution.pk, "other": contribution.same_as_id},
                )
                return self.back()
            else:
                services.mark_duplicate(
                    contribution=contribution, staff=self.request.user, duplicate_of=form.cleaned_data["duplicate_of"]
                )
                text = _("Contribution #%(number)s is marked as a duplicate of #%(original)s.")
        except ValidationError as error:
            add_errors(form, error)
            return self.refused(contribution, form)
        messages.success(
            self.request,
            text % {"number": contribution.pk, "original": form.cleaned_data.get("duplicate_of")},
        )
        return self.back()
