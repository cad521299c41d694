"""The declaration's pages: staff compile, follow the compile, read, edit, compare, mark final and
publish; the public reads the published declaration and downloads it.

The rules live elsewhere: who may do what in ``stakeholders.permissions`` (``declarations.*``), the
compile in ``declarations.compile``, edits and publication in ``declarations.editing``. A draft that
someone may not see is a 404 on every page and download.
"""

from functools import cached_property

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView, View

from common.http import is_htmx, no_store
from declarations import editing, exports, languages
from declarations.compile import job_progress as engine_job_progress
from declarations.compile import request_compile
from declarations.diff import compare
from declarations.forms import COMPILE_LANGUAGES, CompareForm, CompileForm, ParagraphForm
from declarations.models import CompileJob, Declaration, Draft, Paragraph
from practices.models import Practice
from roundtables.models import Contribution, Forum, RapporteurReport
from roundtables.programme.queries import forum_or_404
from stakeholders.models import constituency_label
from stakeholders.permissions import PermissionRequiredMixin, can

PARAGRAPHS_PER_PAGE = 100
SOURCES_SHOWN = 5  # beside each paragraph; the rest on the paragraph's sources page
SOURCES_PER_PAGE = 100


def job_progress(job):
    """What the progress bar shows (the engine's summary; reading it also revives a stalled job)."""
    progress = engine_job_progress(job)
    progress["percent"] = max(0, min(100, int(progress.get("percent") or 0)))
    return progress


# --- Scoping: what the person may reach ---------------------------------------------------------------


def _staff_or_404(request):
    """Drafts do not exist for anyone but staff (with a second factor): a 404, not a 403."""
    if not can(request.user, "declarations.view_drafts"):
        raise Http404


def _draft_or_404(request, pk):
    _staff_or_404(request)
    return get_object_or_404(
        Draft.objects.select_related("declaration__forum", "author").defer("html", "content"), pk=pk
    )


def _versions(declaration):
    return list(
        Draft.objects.filter(declaration=declaration)
        .select_related("author")
        .only("id", "version", "created", "note", "author__email", "author__first_name", "author__last_name")
        .order_by("-version")
    )


# --- Staff: the overview, compiling and its progress -------------------------------------------------


class StaffOverview(PermissionRequiredMixin, TemplateView):
    """Per forum: each language's declaration, its versions, its latest compile job; the compile form."""

    permission = "declarations.view_drafts"
    template_name = "declarations/staff_overview.html"

    @cached_property
    def forum(self):
        return forum_or_404(self.kwargs.get("forum"))

    def get_context_data(self, form=None, **kwargs):
        kwargs.pop("forum", None)  # the URL's slug; the context gets the Forum
        forum = self.forum
        latest_job = CompileJob.objects.filter(declaration=OuterRef("pk")).order_by("-created", "-id").values("id")[:1]
        declarations = {
            d.language: d
            for d in Declaration.objects.filter(forum=forum)
            .select_related("final_draft")
            .annotate(latest_job_id=Subquery(latest_job, output_field=IntegerField()))
            .prefetch_related(
                Prefetch(
                    "drafts",
                    queryset=Draft.objects.select_related("author")
                    .only(
                        "id",
                        "declaration_id",
                        "version",
                        "created",
                        "note",
                        "inputs_hash",
                        "author__email",
                        "author__first_name",
                        "author__last_name",
                    )
                    .order_by("-version"),
                )
            )
        }
        jobs = CompileJob.objects.in_bulk([d.latest_job_id for d in declarations.values() if d.latest_job_id])
        rows = []
        for code, label in COMPILE_LANGUAGES:
            declaration = declarations.pop(code, None)
            job = jobs.get(declaration.latest_job_id) if declaration and declaration.latest_job_id else None
            rows.append(
                {
                    "code": code,
                    "label": label,
                    "declaration": declaration,
                    "drafts": list(declaration.drafts.all()) if declaration else [],
                    "job": job,
                    "progress": job_progress(job) if job else None,
                }
            )
        for declaration in declarations.values():  # another language (e.g. Spanish) made elsewhere
            rows.append(
                {
                    "code": declaration.language,
                    "label": declaration.get_language_display(),
                    "declaration": declaration,
                    "drafts": list(declaration.drafts.all()),
                    "job": None,
                    "progress": None,
                }
            )
        other_forums = Forum.objects.exclude(pk=forum.pk).only("slug", "title", "year").order_by("-year")
        return super().get_context_data(
            forum=forum,
            rows=rows,
            form=form or CompileForm(),
            other_forums=other_forums,
            can_compile=can(self.request.user, "declarations.compile"),
            **kwargs,
        )

    def get(self, request, *args, **kwargs):
        return no_store(super().get(request, *args, **kwargs))


class StaffCompile(PermissionRequiredMixin, View):
    """Start a compile (or find the one already running) and open its progress page."""

    permission = "declarations.compile"

    def post(self, request, forum):
        forum = forum_or_404(forum)
        form = CompileForm(request.POST)
        if not form.is_valid():
            view = StaffOverview(request=request, kwargs={"forum": forum.slug}, args=())
            return view.render_to_response(view.get_context_data(form=form), status=400)
        asked_at = timezone.now()
        job = request_compile(
            forum=forum, language=form.cleaned_data["language"], user=request.user, force=form.cleaned_data["force"]
        )
        if job.created < asked_at:  # the engine gave back the compile already under way
            messages.info(request, _("A compile of this declaration is already under way: here is its progress."))
        return redirect("declarations:staff-job", pk=job.pk)


class StaffJob(TemplateView):
    """A compile's progress. htmx polls the same address for the bar alone; once the job has made a
    draft, the browser is sent to it (HX-Redirect). The state is the job's row: a reload or a worker
    restart changes nothing."""

    template_name = "declarations/staff_job.html"
    partial_template_name = "declarations/_job_progress.html"

    def get(self, request, pk):
        _staff_or_404(request)
        job = get_object_or_404(CompileJob.objects.select_related("declaration__forum", "draft", "requested_by"), pk=pk)
        progress = job_progress(job)
        htmx = is_htmx(request)
        if htmx and progress["finished"] and progress["status"] != CompileJob.Status.FAILED:
            draft_id = progress.get("draft_id") or job.draft_id
            if draft_id is None:
                draft_id = (
                    Draft.objects.filter(declaration_id=job.declaration_id)
                    .order_by("-version")
                    .values_list("pk", flat=True)
                    .first()
                )
            if draft_id is not None:
                if progress["status"] == CompileJob.Status.UNCHANGED:
                    messages.info(request, _("Nothing changed since the last draft: no new version was made."))
                response = HttpResponse(status=204)
                response["HX-Redirect"] = reverse("declarations:staff-draft", kwargs={"pk": draft_id})
                return no_store(response)
        context = {"job": job, "progress": progress, "declaration": job.declaration, "forum": job.declaration.forum}
        template = self.partial_template_name if htmx else self.template_name
        return no_store(self.response_class(request=request, template=[template], context=context))


# --- Staff: a draft, its sources, editing ------------------------------------------------------------


def _source_count():
    through = Paragraph.sources.through
    return Subquery(
        through.objects.filter(paragraph_id=OuterRef("pk"))
        .order_by()
        .values("paragraph_id")
        .annotate(n=Count("*"))
        .values("n"),
        output_field=IntegerField(),
    )


SENTENCE_SOURCES_SHOWN = 10  # contribution numbers listed per sentence of a synthesis paragraph


class StaffDraft(TemplateView):
    """A version, paragraph by paragraph, each with where it came from beside it."""

    template_name = "declarations/staff_draft.html"

    def get(self, request, pk):
        draft = _draft_or_404(request, pk)
        declaration = draft.declaration
        paragraphs = (
            Paragraph.objects.filter(draft=draft)
            .select_related("edited_by")
            .annotate(source_count=_source_count())
            .prefetch_related(
                Prefetch(
                    "sources",
                    queryset=Contribution.objects.only(
                        "id", "text", "kind", "constituency", "organisation_name", "language", "country"
                    ).order_by("id")[:SOURCES_SHOWN],
                    to_attr="first_sources",
                ),
                Prefetch(
                    "reports",
                    queryset=RapporteurReport.objects.select_related("session"),
                ),
            )
            .order_by("position")
        )
        page = Paginator(paragraphs, PARAGRAPHS_PER_PAGE).get_page(request.GET.get("page"))
        rows = list(page.object_list)
        practice_ids = {pid for p in rows for pid in (p.practice_ids or []) if isinstance(pid, int)}
        practices = Practice.objects.in_bulk(practice_ids) if practice_ids else {}
        for paragraph in rows:
            # A synthesis paragraph: which contributions each of its sentences cites.
            paragraph.sentence_sources = [
                {
                    "count": len(sentence["sources"]),
                    "shown": ", ".join(f"#{pk}" for pk in sentence["sources"][:SENTENCE_SOURCES_SHOWN]),
                    "more": max(0, len(sentence["sources"]) - SENTENCE_SOURCES_SHOWN),
                }
                for sentence in paragraph.sentences or []
            ]
            paragraph.practices = [practices[pid] for pid in (paragraph.practice_ids or []) if pid in practices]
            paragraph.more_sources = (paragraph.source_count or 0) - len(paragraph.first_sources)
            paragraph.constituency_labels = [constituency_label(c, missing="") for c in paragraph.constituencies or []]
            for source in paragraph.first_sources:
                source.constituency_label = constituency_label(source.constituency, missing="")
        versions = _versions(declaration)
        context = {
            "draft": draft,
            "declaration": declaration,
            "forum": declaration.forum,
            "page": page,
            "paragraphs": rows,
            "versions": versions,
            "latest": versions[0].version if versions else draft.version,
            "is_final": declaration.final_draft_id == draft.pk,
            "is_published": declaration.final_draft_id == draft.pk and declaration.published_at is not None,
            "can_edit": can(request.user, "declarations.edit"),
            "can_publish": can(request.user, "declarations.publish"),
            "previous": next((v for v in versions if v.version < draft.version), None),
            "formats": exports.FORMATS,
        }
        return no_store(self.render_to_response(self.get_context_data(**context)))


class StaffParagraphSources(TemplateView):
    """Every contribution and report a paragraph came from (a merged recommendation may have many)."""

    template_name = "declarations/staff_sources.html"

    def get(self, request, pk, position):
        draft = _draft_or_404(request, pk)
        paragraph = get_object_or_404(Paragraph.objects.filter(draft=draft), position=position)
        sources = paragraph.sources.only(
            "id", "text", "kind", "constituency", "organisation_name", "language", "country"
        ).order_by("id")
        page = Paginator(sources, SOURCES_PER_PAGE).get_page(request.GET.get("page"))
        for source in page.object_list:
            source.constituency_label = constituency_label(source.constituency, missing="")
        context = {
            "draft": draft,
            "declaration": draft.declaration,
            "paragraph": paragraph,
            "page": page,
            "reports": paragraph.reports.select_related("session"),
            "practices": Practice.objects.filter(
                pk__in=[p for p in paragraph.practice_ids or [] if isinstance(p, int)]
            ),
            "can_moderate": can(request.user, "roundtables.moderate_contributions"),
        }
        return no_store(self.render_to_response(self.get_context_data(**context)))


def _draft_page_url(draft, position):
    """The draft page that shows paragraph ``position``, at that paragraph."""
    index = Paragraph.objects.filter(draft=draft, position__lt=position).count()
    page = index // PARAGRAPHS_PER_PAGE + 1
    url = reverse("declarations:staff-draft", kwargs={"pk": draft.pk})
    query = f"?page={page}" if page > 1 else ""
    return f"{url}{query}#para-{position}"


class StaffParagraphEdit(FormView):
    """Edit one paragraph's text; saving makes a new version. A stale form is refused, its text kept."""

    template_name = "declarations/staff_paragraph_edit.html"
    form_class = ParagraphForm

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, "declarations.edit"):
            raise Http404
        self.draft = _draft_or_404(request, kwargs["pk"])
        self.paragraph = get_object_or_404(Paragraph.objects.filter(draft=self.draft), position=kwargs["position"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        return {"text": self.paragraph.text, "latest_version": editing.latest_version(self.draft.declaration)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            draft=self.draft,
            declaration=self.draft.declaration,
            paragraph=self.paragraph,
            latest=editing.latest_version(self.draft.declaration),
            back_url=_draft_page_url(self.draft, self.paragraph.position),
            **kwargs,
        )

    def form_valid(self, form):
        try:
            new_draft = editing.edit_paragraph(
                draft=self.draft,
                position=self.paragraph.position,
                text=form.cleaned_data["text"],
                editor=self.request.user,
                latest_seen=form.cleaned_data["latest_version"],
            )
        except editing.EditRefused as refusal:
            form.add_error(None, str(refusal))
            return self.render_to_response(self.get_context_data(form=form), status=409)
        messages.success(
            self.request,
            _("Saved as version %(version)s.") % {"version": new_draft.version},
        )
        return redirect(_draft_page_url(new_draft, self.paragraph.position))


class StaffCompare(TemplateView):
    """Any two versions of a declaration, side by side in one column: what was added, removed, changed."""

    template_name = "declarations/staff_compare.html"

    def get(self, request, pk):
        _staff_or_404(request)
        declaration = get_object_or_404(Declaration.objects.select_related("forum"), pk=pk)
        versions = _versions(declaration)
        numbers = [v.version for v in versions]
        by_number = {v.version: v for v in versions}
        data = request.GET if {"old", "new"} <= set(request.GET) else None
        if data is None and len(numbers) >= 2:
            data = {"old": numbers[1], "new": numbers[0]}
        form = CompareForm(data, versions=numbers) if data is not None else CompareForm(versions=numbers)
        result = None
        if data is not None and form.is_valid():
            result = compare(by_number[form.cleaned_data["old"]], by_number[form.cleaned_data["new"]])
        context = {
            "declaration": declaration,
            "forum": declaration.forum,
            "versions": versions,
            "form": form,
            "diff": result,
            "old_draft": by_number.get(form.cleaned_data["old"]) if result else None,
            "new_draft": by_number.get(form.cleaned_data["new"]) if result else None,
        }
        status = 400 if data is not None and not form.is_valid() else 200
        return no_store(self.render_to_response(self.get_context_data(**context), status=status))


class _StaffDraftAction(View):
    """A POST on a draft that calls one service of ``declarations.editing``."""

    permission = "declarations.publish"

    def act(self, draft, user):
        raise NotImplementedError

    def post(self, request, pk):
        if not can(request.user, self.permission):
            raise Http404
        draft = _draft_or_404(request, pk)
        try:
            message = self.act(draft, request.user)
        except editing.EditRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, message)
        return redirect("declarations:staff-draft", pk=draft.pk)


class StaffMarkFinal(_StaffDraftAction):
    def act(self, draft, user):
        editing.mark_final(draft=draft, user=user)
        return _("Version %(version)s is now the final version.") % {"version": draft.version}


class StaffPublish(_StaffDraftAction):
    def act(self, draft, user):
        editing.publish(draft=draft, user=user)
        misaligned = languages.misaligned_with(draft)
        if misaligned:
            names = ", ".join(str(dict(COMPILE_LANGUAGES).get(code, code)) for code in misaligned)
            messages.warning(
                self.request,
                _(
                    "Its paragraphs do not align with the final version in %(languages)s (not the same numbers in "
                    "the same sections): compare the language versions side by side."
                )
                % {"languages": names},
            )
        return _("Version %(version)s is published.") % {"version": draft.version}


class StaffLanguages(PermissionRequiredMixin, TemplateView):
    """The forum's language versions of the declaration side by side, aligned by paragraph number,
    with the paragraphs whose counterpart changed after them marked out of date."""

    permission = "declarations.view_drafts"
    template_name = "declarations/staff_languages.html"

    def get(self, request, *args, **kwargs):
        forum = forum_or_404(kwargs.get("forum"))
        context = self.get_context_data(forum=forum, side_by_side=languages.language_versions(forum))
        return no_store(self.render_to_response(context))


class StaffUnpublish(_StaffDraftAction):
    def act(self, draft, user):
        editing.unpublish(declaration=draft.declaration, user=user)
        return _("The declaration is no longer published.")


# --- The public declaration and the downloads ---------------------------------------------------------


def published_declarations(forum):
    """The forum's published declarations, by language."""
    return {
        d.language: d
        for d in Declaration.objects.filter(forum=forum, published_at__isnull=False, final_draft__isnull=False)
        .select_related("final_draft")
        .order_by("language")
    }


# A language's name inside a sentence ("here it is in English", "aquí está en inglés"): French and
# Spanish write it in lower case there, unlike the capitalised names of the language menu.
LANGUAGE_IN_A_SENTENCE = {
    "en": pgettext_lazy("language name inside a sentence", "English"),
    "fr": pgettext_lazy("language name inside a sentence", "French"),
    "es": pgettext_lazy("language name inside a sentence", "Spanish"),
}


class PublicDeclaration(TemplateView):
    """The current forum's published declaration in the page's language, or in another one (said so)."""

    template_name = "declarations/public.html"

    def get_context_data(self, **kwargs):
        forum = forum_or_404()
        published = published_declarations(forum)
        language = get_language()
        declaration = published.get(language)
        fallback = False
        if declaration is None:
            for code in ("en", "fr", *published):
                if code in published:
                    declaration, fallback = published[code], True
                    break
        others = [d for code, d in published.items() if declaration is None or d.pk != declaration.pk]
        return super().get_context_data(
            forum=forum,
            declaration=declaration,
            draft=declaration.final_draft if declaration else None,
            body=exports.body_html(declaration.final_draft) if declaration else "",
            fallback=fallback,
            fallback_language=LANGUAGE_IN_A_SENTENCE.get(declaration.language, "") if fallback else "",
            others=others,
            formats=exports.FORMATS,
            **kwargs,
        )


# The "being prepared" page asks again this often (the Refresh header).
PREPARING_REFRESH_SECONDS = 5


class DraftDownload(View):
    """Any version as docx, pdf or html: the published one for everyone, the others for staff only."""

    def get(self, request, pk, fmt):
        if fmt not in exports.FORMATS:
            raise Http404
        draft = get_object_or_404(Draft.objects.select_related("declaration__forum"), pk=pk)
        declaration = draft.declaration
        published = declaration.published_at is not None and declaration.final_draft_id == draft.pk
        if not published and not can(request.user, "declarations.view_drafts"):
            raise Http404
        if exports.must_be_prepared(draft, fmt):
            exports.prepare_in_background(draft, fmt)
            response = render(request, "declarations/preparing.html", {"draft": draft, "fmt": fmt}, status=202)
            response["Refresh"] = str(PREPARING_REFRESH_SECONDS)
            response.page_cache_exempt = True
            return no_store(response)
        try:
            content, content_type, name = exports.cached_export(draft, fmt)
        except exports.PdfUnavailable:
            return no_store(HttpResponse(_("PDF files cannot be made on this server."), status=503))
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["X-Content-Type-Options"] = "nosniff"
        if published:
            response["Cache-Control"] = "public, max-age=300"
        else:
            no_store(response)
        # Files are not kept in the page cache (it would drop Content-Disposition).
        response.page_cache_exempt = True
        return response
