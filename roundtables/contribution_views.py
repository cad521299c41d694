"""Contributions to round tables: the participant's form and own list, the public lists, the staff's
moderation queue, and the rapporteur's report of a session.

Every rule lives in ``roundtables.contributions`` (and who may do what in stakeholders.permissions);
these views call it and show what it answers. A contribution someone may not see is a 404.
"""

from functools import cached_property

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from common.http import error_text, no_store
from roundtables import contributions as service
from roundtables.contributions import Status, VersionConflict
from roundtables.forms_contributions import (
    ALL,
    ContributionFilterForm,
    ContributionForm,
    ContributorNamesForm,
    ModerationForm,
    ReportForm,
)
from roundtables.models import Contribution, GuidingQuestion, RapporteurReport, RoundTable, Session
from roundtables.programme.queries import forum_or_404
from stakeholders.models import constituency_label
from stakeholders.permissions import PermissionRequiredMixin, can

PUBLIC_PAGE_SIZE = 25
QUEUE_PAGE_SIZE = 50


def _add_errors(form, error):
    """A service's ValidationError next to the fields it names, or at the top of the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


# --- Participants contribute ----------------------------------------------------------------------


class Contribute(View):
    """GET/POST /<lang>/roundtables/<forum>/<code>/contribute/: a contribution to a round table of the
    current forum, by a participant with a verified email address."""

    template_name = "roundtables/contributions/contribute.html"

    @cached_property
    def round_table(self):
        round_table = service.round_table_of_current_forum(self.kwargs["forum"], self.kwargs["code"])
        if round_table is None:
            raise Http404("No such round table takes contributions.")
        return round_table

    def dispatch(self, request, *args, **kwargs):
        self.round_table  # noqa: B018 - an unknown round table is a 404 for everyone
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can(request.user, "roundtables.contribute", self.round_table):
            # Signed in, address not verified yet: say so, and where to verify it.
            return render(
                request,
                "roundtables/contributions/verify_email.html",
                {"round_table": self.round_table},
                status=403,
            )
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        context = {"round_table": self.round_table, "form": form, "max_length": service.MAX_TEXT_LENGTH}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        initial = {}
        question = request.GET.get("question", "")
        if question.isdigit():
            initial["guiding_question"] = (
                GuidingQuestion.objects.filter(round_table=self.round_table, position=int(question))
                .values_list("pk", flat=True)
                .first()
            )
        return self.render_form(ContributionForm(round_table=self.round_table, initial=initial))

    def post(self, request, *args, **kwargs):
        form = ContributionForm(request.POST, round_table=self.round_table)
        if not form.is_valid():
            return self.render_form(form)
        try:
            contribution = service.submit(round_table=self.round_table, author=request.user, **form.contribution())
        except ValidationError as error:
            _add_errors(form, error)
            return self.render_form(form)
        messages.success(
            request,
            _(
                "Thank you. Your contribution #%(number)s is sent; the moderators will read it. "
                "It shows on the round table's page once accepted."
            )
            % {"number": contribution.pk},
        )
        return redirect("roundtables:my-contributions")


class MyContributions(LoginRequiredMixin, TemplateView):
    """GET /<lang>/accounts/contributions/: a person's own contributions with their status (and the
    reason of a rejection), and the sessions whose report they write."""

    template_name = "roundtables/contributions/mine.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        mine = list(
            Contribution.objects.filter(author=user)
            .select_related("round_table__forum", "guiding_question", "duplicate_of")
            .order_by("-id")
        )
        for contribution in mine:
            original = contribution.duplicate_of
            # Link the original only where the author may open it (accepted, or their own).
            contribution.original_visible = bool(
                original and (original.status == Status.ACCEPTED or original.author_id == user.pk)
            )
        return super().get_context_data(
            contributions=mine,
            reporting_sessions=list(service.reporting_sessions(user)),
            **kwargs,
        )


# --- The public: accepted contributions -------------------------------------------------------------


def _attributed(rows, forum):
    for contribution in rows:
        contribution.attribution = service.attribution(contribution, show_names=forum.show_contributor_names)
    return rows


class RoundTableContributions(TemplateView):
    """GET /<lang>/roundtables/<forum>/<code>/contributions/: every accepted contribution of a round
    table, by guiding question and kind, paginated."""

    template_name = "roundtables/contributions/round_table_list.html"

    def get_context_data(self, **kwargs):
        # The URL's forum and code name the round table; they are not passed on to the template.
        round_table = get_object_or_404(
            RoundTable.objects.select_related("forum"), forum__slug=self.kwargs["forum"], code=self.kwargs["code"]
        )
        questions = list(round_table.guiding_questions.order_by("position"))
        queryset = (
            Contribution.objects.filter(round_table=round_table, status=Status.ACCEPTED)
            .select_related("author", "guiding_question")
            .prefetch_related("sdg_targets", "compact_themes")
            .order_by("id")
        )
        question = self.request.GET.get("question", "")
        chosen_question = next((q for q in questions if str(q.position) == question), None)
        if question == "none":
            queryset = queryset.filter(guiding_question=None)
        elif chosen_question is not None:
            queryset = queryset.filter(guiding_question=chosen_question)
        else:
            question = ""
        kind = self.request.GET.get("kind", "")
        if kind in Contribution.Kind.values:
            queryset = queryset.filter(kind=kind)
        else:
            kind = ""
        page = Paginator(queryset, PUBLIC_PAGE_SIZE).get_page(self.request.GET.get("page"))
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            round_table=round_table,
            forum=round_table.forum,
            questions=questions,
            question=question,
            kind=kind,
            kinds=Contribution.Kind.choices,
            page=page,
            rows=_attributed(list(page.object_list), round_table.forum),
            query=query.urlencode(),
            contributions_open=round_table.forum.is_current,
        )


class ContributionDetail(TemplateView):
    """GET /<lang>/contributions/<pk>/: an accepted contribution for everyone; any status for its
    author and staff; otherwise a 404."""

    template_name = "roundtables/contributions/detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        contribution = get_object_or_404(
            service.visible_contributions(user)
            .select_related("round_table__forum", "guiding_question", "author", "duplicate_of")
            .prefetch_related("sdg_targets", "compact_themes"),
            pk=self.kwargs["pk"],
        )
        forum = contribution.round_table.forum
        contribution.attribution = service.attribution(contribution, show_names=forum.show_contributor_names)
        is_staff = can(user, "roundtables.moderate_contributions")
        response_context = {
            "contribution": contribution,
            "round_table": contribution.round_table,
            "is_author": user.is_authenticated and contribution.author_id == user.pk,
            "is_staff": is_staff,
            "constituency_label": constituency_label(contribution.constituency),
        }
        return super().get_context_data(**response_context, **kwargs)

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if context["contribution"].status != Status.ACCEPTED:
            no_store(response)
        return response


# --- Staff: the moderation queue ------------------------------------------------------------------


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
        service.set_contributor_names(forum=self.forum, staff=self.request.user, show=show)
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
        accepted = service.accept_many(ids=ids, staff=self.request.user)
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
                service.accept(contribution=contribution, staff=self.request.user)
                text = _("Contribution #%(number)s is accepted; its author is told by email.")
            elif action == "reject":
                service.reject(contribution=contribution, staff=self.request.user, reason=form.cleaned_data["reason"])
                text = _("Contribution #%(number)s is rejected; its author is told by email, with the reason.")
            else:
                service.mark_duplicate(
                    contribution=contribution, staff=self.request.user, duplicate_of=form.cleaned_data["duplicate_of"]
                )
                text = _("Contribution #%(number)s is marked as a duplicate of #%(original)s.")
        except ValidationError as error:
            _add_errors(form, error)
            return self.refused(contribution, form)
        messages.success(
            self.request,
            text % {"number": contribution.pk, "original": form.cleaned_data.get("duplicate_of")},
        )
        return self.back()


# --- Rapporteurs' reports -------------------------------------------------------------------------


class SessionReport(View):
    """GET/POST /<lang>/sessions/<slug>/report/?language=fr: the report of a session of the current forum,
    one text per language, written by the session's rapporteurs or staff. A stale save (someone else
    saved since the form was opened) is refused and keeps the typed text."""

    template_name = "roundtables/contributions/report.html"

    @cached_property
    def session(self):
        return get_object_or_404(
            Session.objects.select_related("forum", "round_table"), forum=forum_or_404(), slug=self.kwargs["slug"]
        )

    @cached_property
    def language(self):
        languages = [code for code, _name in self.languages]
        wanted = self.request.POST.get("language") or self.request.GET.get("language") or get_language()
        return wanted if wanted in languages else languages[0]

    @property
    def languages(self):
        from django.conf import settings

        return settings.LANGUAGES

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        session = self.session
        if not can(request.user, "roundtables.write_report", session):
            if can(request.user, "roundtables.view_session", session):
                raise PermissionDenied
            raise Http404("No such session.")
        return super().dispatch(request, *args, **kwargs)

    def reports(self):
        return {report.language: report for report in RapporteurReport.objects.filter(session=self.session)}

    def render_page(self, form, *, conflict=None, reports=None, status=200):
        reports = self.reports() if reports is None else reports
        current = reports.get(self.language)
        tabs = [
            {
                "code": code,
                "name": name,
                "report": reports.get(code),
                "url": f"{reverse('roundtables:session-report', kwargs={'slug': self.session.slug})}?language={code}",
            }
            for code, name in self.languages
        ]
        context = {
            "session": self.session,
            "language": self.language,
            "language_name": dict(self.languages)[self.language],
            "tabs": tabs,
            "report": current,
            "form": form,
            "conflict": conflict,
            "is_staff": can(self.request.user, "roundtables.moderate_contributions"),
        }
        response = render(self.request, self.template_name, context, status=status)
        return no_store(response)

    def get(self, request, *args, **kwargs):
        reports = self.reports()
        current = reports.get(self.language)
        form = ReportForm(
            initial={"text": current.text if current else "", "version": current.version if current else 0}
        )
        return self.render_page(form, reports=reports)

    def post(self, request, *args, **kwargs):
        form = ReportForm(request.POST)
        if not form.is_valid():
            return self.render_page(form)
        version = form.cleaned_data["version"]
        # After a refused save, the person may replace the version they were shown with their text.
        replace = request.POST.get("replace", "")
        if replace.isdigit():
            version = int(replace)
        try:
            report = service.save_report(
                session=self.session,
                author=request.user,
                language=self.language,
                text=form.cleaned_data["text"],
                version=version,
            )
        except VersionConflict as conflict:
            return self.render_page(form, conflict=error_text(conflict), status=409)
        except ValidationError as error:
            _add_errors(form, error)
            return self.render_page(form)
        messages.success(
            request,
            _("The report in %(language)s is saved (version %(version)s).")
            % {"language": dict(self.languages)[self.language], "version": report.version},
        )
        return redirect(
            f"{reverse('roundtables:session-report', kwargs={'slug': self.session.slug})}?language={self.language}"
        )
