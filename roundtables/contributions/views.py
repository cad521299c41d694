"""Contributions to round tables: the participant's form and own list, the public lists, and the
rapporteur's report of a session. The staff's moderation queue is in ``staff_views``.

Every rule lives in ``contributions.services`` and ``contributions.queries`` (and who may do what in
roundtables/rules.py); these views call them and show what they answer. A contribution someone may
not see is a 404.
"""

from functools import cached_property

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import TemplateView, View

from common import pagecache
from common.http import error_text, no_store
from roundtables.contributions import queries, services
from roundtables.contributions.forms import ContributionForm, ReportForm, add_errors
from roundtables.contributions.queries import Status
from roundtables.contributions.services import VersionConflict
from roundtables.models import Contribution, GuidingQuestion, RapporteurReport, RoundTable, Session
from roundtables.programme.queries import forum_or_404
from sdg_targets.models import CompactTheme, Target
from stakeholders.models import constituency_label
from stakeholders.permissions import can

PUBLIC_PAGE_SIZE = 25


# --- Participants contribute ----------------------------------------------------------------------


class Contribute(View):
    """GET/POST /<lang>/roundtables/<forum>/<code>/contribute/: a contribution to a round table of the
    current forum, by a participant with a verified email address."""

    template_name = "roundtables/contributions/contribute.html"
    page_cache_params = ("question",)

    @cached_property
    def round_table(self):
        round_table = queries.round_table_of_current_forum(self.kwargs["forum"], self.kwargs["code"])
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
        context = {"round_table": self.round_table, "form": form, "max_length": services.MAX_TEXT_LENGTH}
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
            contribution = services.submit(round_table=self.round_table, author=request.user, **form.contribution())
        except ValidationError as error:
            add_errors(form, error)
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
            reporting_sessions=list(queries.reporting_sessions(user)),
            **kwargs,
        )


# --- The public: accepted contributions -------------------------------------------------------------


def _attributed(rows, forum):
    for contribution in rows:
        contribution.attribution = queries.attribution(contribution, show_names=forum.show_contributor_names)
    return rows


class RoundTableContributions(TemplateView):
    """GET /<lang>/roundtables/<forum>/<code>/contributions/: every accepted contribution of a round
    table, by guiding question and kind, paginated."""

    page_cache_params = ("question", "kind", "page")

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
            # The list shows each target's and theme's code (and links by it): not their texts.
            .prefetch_related(
                Prefetch("sdg_targets", queryset=Target.objects.only("id", "code")),
                Prefetch("compact_themes", queryset=CompactTheme.objects.only("id", "code")),
            )
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
            # The list is a cached fragment, the same for everyone (accepted contributions only),
            # until any content changes (accepting or withdrawing one, the forum's naming rule):
            # the rows are read only when it is rendered (the template calls this).
            rows=lambda: _attributed(list(page.object_list), round_table.forum),
            rows_key=f"{pagecache.content_version()}:{round_table.pk}:{question}:{kind}:{page.number}",
            rows_seconds=settings.PAGE_CACHE_SECONDS,
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
            queries.visible_contributions(user)
            .select_related("round_table__forum", "guiding_question", "author", "duplicate_of")
            .prefetch_related("sdg_targets", "compact_themes"),
            pk=self.kwargs["pk"],
        )
        forum = contribution.round_table.forum
        contribution.attribution = queries.attribution(contribution, show_names=forum.show_contributor_names)
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


# --- Rapporteurs' reports -------------------------------------------------------------------------


class SessionReport(View):
    """GET/POST /<lang>/sessions/<slug>/report/?language=fr: the report of a session of the current forum,
    one text per language, written by the session's rapporteurs or staff. A stale save (someone else
    saved since the form was opened) is refused and keeps the typed text."""

    page_cache_params = ("language",)

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
            report = services.save_report(
                session=self.session,
                author=request.user,
                language=self.language,
                text=form.cleaned_data["text"],
                version=version,
            )
        except VersionConflict as conflict:
            return self.render_page(form, conflict=error_text(conflict), status=409)
        except ValidationError as error:
            add_errors(form, error)
            return self.render_page(form)
        messages.success(
            request,
            _("The report in %(language)s is saved (version %(version)s).")
            % {"language": dict(self.languages)[self.language], "version": report.version},
        )
        return redirect(
            f"{reverse('roundtables:session-report', kwargs={'slug': self.session.slug})}?language={self.language}"
        )
