"""The programme editor for co-chair staff (under /staff/: the second factor is required first).

Pages: the forums (current, drafts, past), a forum's editor (details, sub-themes, its round
tables, its links to the Compact themes), a round table's editor (details, guiding questions,
links to the frameworks), the translation overview, and "start a new forum from this one".
Details forms are plain POSTs with the version they were opened at, as in the agenda editor; the
questions and links panels answer htmx with the panel again (the links panel is the same on the
forum's editor and the round table's); the questions are reordered by drag and drop or by their
Up/Down buttons (static/js/agenda-editor.js).
All rules live in ``programme.editor``.
"""

from functools import cached_property, partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from common.http import error_text, no_store
from roundtables import staff_panels
from roundtables.models import Forum, GuidingQuestion, RoundTable
from roundtables.programme import editor
from roundtables.programme.forms import (
    CopyForm,
    ForumForm,
    ForumLinkForm,
    LinkForm,
    QuestionForm,
    RoundTableForm,
    SubThemeForm,
)
from roundtables.programme.translations import overview
from stakeholders.permissions import PermissionRequiredMixin


class ProgrammeStaffMixin(PermissionRequiredMixin):
    permission = "roundtables.edit_programme"

    @cached_property
    def forum(self):
        return get_object_or_404(Forum, slug=self.kwargs["forum"])

    @cached_property
    def round_table(self):
        return get_object_or_404(
            RoundTable.objects.select_related("forum", "sub_theme"), forum=self.forum, pk=self.kwargs["pk"]
        )

    def forum_url(self, anchor=""):
        url = reverse("roundtables:staff-programme-forum", kwargs={"forum": self.forum.slug})
        return f"{url}#{anchor}" if anchor else url

    def round_table_url(self, anchor=""):
        kwargs = {"forum": self.forum.slug, "pk": self.round_table.pk}
        url = reverse("roundtables:staff-programme-round-table", kwargs=kwargs)
        return f"{url}#{anchor}" if anchor else url


def _version(form):
    # A form without the version it was opened at cannot prove it is current (versions start at 1).
    return form.cleaned_data.get("version") or 0


# --- The forums ---------------------------------------------------------------------------------


class ForumList(ProgrammeStaffMixin, TemplateView):
    """GET /<lang>/staff/programme/: every forum, the current one first, with what staff may do."""

    template_name = "roundtables/programme_staff/forums.html"

    def get_context_data(self, **kwargs):
        forums = list(Forum.objects.current_first())
        return super().get_context_data(forums=forums, **kwargs)

    def get(self, request, *args, **kwargs):
        return no_store(super().get(request, *args, **kwargs))


class ForumCreate(PermissionRequiredMixin, View):
    """GET/POST /<lang>/staff/programme/new/: a new forum, as a draft."""

    permission = "roundtables.edit_programme"
    template_name = "roundtables/programme_staff/create.html"

    def get(self, request):
        form = ForumForm(forum=Forum(), initial={"time_zone": "Europe/Berlin", "source_language": "en"})
        return no_store(render(request, self.template_name, {"form": form}))

    def post(self, request):
        form = ForumForm(request.POST, forum=Forum())
        if form.is_valid():
            try:
                forum = editor.create_forum(actor=request.user, data=form.values())
            except ValidationError as error:
                form.add_errors(error)
            else:
                messages.success(request, _("The forum is created as a draft: only staff see it."))
                return redirect("roundtables:staff-programme-forum", forum=forum.slug)
        return no_store(render(request, self.template_name, {"form": form}))


def forum_context(forum, **overrides):
    sub_themes = list(forum.sub_themes.order_by("number"))
    context = {
        "forum": forum,
        "sub_themes": [
            (sub_theme, SubThemeForm(forum=forum, instance=sub_theme, prefix=f"sub-theme-{sub_theme.pk}"))
            for sub_theme in sub_themes
        ],
        "round_tables": list(forum.round_tables.select_related("sub_theme").order_by("position", "code")),
        "new_sub_theme_form": SubThemeForm(
            forum=forum, prefix="new-sub-theme", initial={"number": len(sub_themes) + 1}
        ),
        "changes": list(forum.changes.select_related("actor")[:15]),
        # The forum's own links to the Compact themes, in the round tables' links panel.
        "target_links": [],
        "theme_links": list(forum.theme_links.select_related("theme").order_by("theme__code")),
        "link_form": ForumLinkForm(),
        "link_add_url": reverse("roundtables:staff-programme-forum-link-add", kwargs={"forum": forum.slug}),
        "link_remove_url": reverse("roundtables:staff-programme-forum-link-remove", kwargs={"forum": forum.slug}),
        "status_message": "",
    }
    context.update(overrides)
    if "form" not in context:
        context["form"] = ForumForm(forum=forum, instance=forum)
    return context


class DetailsEditor(ProgrammeStaffMixin, View):
    """An editor page (GET) whose details form is a plain POST with the version it was opened at:
    saved and redirected to, or sent again with what was typed (409 when it is stale)."""

    template_name = ""

    def page_context(self, **overrides):
        raise NotImplementedError

    def details_form(self, data):
        raise NotImplementedError

    def save(self, form):
        """Save the details; return the status message and where to go next (or raise)."""
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        return no_store(render(request, self.template_name, self.page_context()))

    def post(self, request, *args, **kwargs):
        form = self.details_form(request.POST)
        if form.is_valid():
            try:
                message, url = self.save(form)
            except editor.VersionConflict as conflict:
                return self._again(form, conflict=str(conflict), status=409)
            except ValidationError as error:
                form.add_errors(error)
            else:
                messages.success(request, message)
                return redirect(url)
        return self._again(form)

    def _again(self, form, conflict="", status=200):
        context = self.page_context(form=form, conflict=conflict, details_refused=True)
        return no_store(render(self.request, self.template_name, context, status=status))


class ForumEditor(DetailsEditor):
    """GET /<lang>/staff/programme/<forum>/: the forum's editor. POST: save its details (refused if stale)."""

    template_name = "roundtables/programme_staff/forum.html"

    def page_context(self, **overrides):
        return forum_context(self.forum, **overrides)

    def details_form(self, data):
        return ForumForm(data, forum=self.forum, instance=self.forum)

    def save(self, form):
        saved = editor.update_forum(
            forum=self.forum, actor=self.request.user, data=form.values(), version=_version(form)
        )
        return _("The forum's details are saved."), reverse(
            "roundtables:staff-programme-forum", kwargs={"forum": saved.slug}
        )


class ForumPublish(ProgrammeStaffMixin, View):
    """POST /<lang>/staff/programme/<forum>/publish/: the public sees the forum."""

    def post(self, request, forum):
        editor.publish_forum(forum=self.forum, actor=request.user)
        messages.success(request, _("The forum is published: the public sees its programme."))
        return redirect(self.forum_url())


class ForumMakeCurrent(ProgrammeStaffMixin, View):
    """POST /<lang>/staff/programme/<forum>/current/: the site opens on this forum."""

    def post(self, request, forum):
        try:
            editor.make_current(forum=self.forum, actor=request.user)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request, _("%(forum)s is now the current forum; the others are in the archive.") % {"forum": self.forum}
            )
        return redirect("roundtables:staff-programme")


class ForumCopy(ProgrammeStaffMixin, View):
    """GET/POST /<lang>/staff/programme/<forum>/copy/: start a new forum from this one."""

    template_name = "roundtables/programme_staff/copy.html"

    def get(self, request, forum):
        source = self.forum
        form = CopyForm(
            initial={"year": source.year + 1, "edition": source.edition + 1, "slug": f"gfmd-{source.year + 1}"}
        )
        return no_store(render(request, self.template_name, {"form": form, "forum": source}))

    def post(self, request, forum):
        form = CopyForm(request.POST)
        if form.is_valid():
            try:
                new = editor.copy_forum(forum=self.forum, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(name if name in form.fields else None, message)
            else:
                message = _("The new forum is a draft copy of %(forum)s: rewrite what changes.")
                messages.success(request, message % {"forum": self.forum})
                return redirect("roundtables:staff-programme-forum", forum=new.slug)
        return no_store(render(request, self.template_name, {"form": form, "forum": self.forum}))


class TranslationOverview(ProgrammeStaffMixin, TemplateView):
    """GET /<lang>/staff/programme/<forum>/translations/: every text missing or out of date, by language."""

    template_name = "roundtables/programme_staff/translations.html"

    def get_context_data(self, **kwargs):
        kwargs.pop("forum", None)  # the URL's slug: the forum itself is given instead
        gaps = overview(self.forum)
        counts = {language: sum(1 for gap in gaps if gap.language == language) for language in ("en", "fr", "es")}
        return super().get_context_data(forum=self.forum, gaps=gaps, counts=counts, **kwargs)

    def get(self, request, *args, **kwargs):
        return no_store(super().get(request, *args, **kwargs))


# --- Sub-themes ------------------------------------------------------------------------------------


class SubThemeAdd(ProgrammeStaffMixin, View):
    """POST /<lang>/staff/programme/<forum>/sub-themes/."""

    def post(self, request, forum):
        form = SubThemeForm(request.POST, forum=self.forum, prefix="new-sub-theme")
        if form.is_valid():
            try:
                sub_theme = editor.add_sub_theme(forum=self.forum, actor=request.user, data=form.values())
            except ValidationError as error:
                form.add_errors(error)
            else:
                messages.success(request, _("Sub-theme %(number)s added.") % {"number": sub_theme.number})
                return redirect(self.forum_url(f"sub-theme-{sub_theme.pk}"))
        context = forum_context(self.forum, new_sub_theme_form=form, sub_theme_refused=True)
        return no_store(render(request, ForumEditor.template_name, context))


class SubThemeChange(ProgrammeStaffMixin, View):
    """POST /<lang>/staff/programme/<forum>/sub-themes/<pk>/ (refused if stale)."""

    def post(self, request, forum, pk):
        sub_theme = get_object_or_404(self.forum.sub_themes, pk=pk)
        prefix = f"sub-theme-{sub_theme.pk}"
        form = SubThemeForm(request.POST, forum=self.forum, instance=sub_theme, prefix=prefix)
        conflict, status = "", 200
        if form.is_valid():
            try:
                editor.update_sub_theme(
                    sub_theme=sub_theme, actor=request.user, data=form.values(), version=_version(form)
                )
            except editor.VersionConflict as error:
                conflict, status = str(error), 409
            except ValidationError as error:
                form.add_errors(error)
            else:
                messages.success(request, _("Sub-theme %(number)s saved.") % {"number": form.cleaned_data["number"]})
                return redirect(self.forum_url(prefix))
        context = forum_context(self.forum, conflict=conflict)
        context["sub_themes"] = [
            (item, form if item.pk == sub_theme.pk else item_form) for item, item_form in context["sub_themes"]
        ]
        context["refused_sub_theme"] = sub_theme.pk
        return no_store(render(request, ForumEditor.template_name, context, status=status))


# --- Round tables ------------------------------------------------------------------------------------


class RoundTableCreate(ProgrammeStaffMixin, View):
    """GET/POST /<lang>/staff/programme/<forum>/round-tables/new/."""

    template_name = "roundtables/programme_staff/round_table_create.html"

    def get(self, request, forum):
        form = RoundTableForm(forum=self.forum)
        return no_store(render(request, self.template_name, {"form": form, "forum": self.forum}))

    def post(self, request, forum):
        form = RoundTableForm(request.POST, forum=self.forum)
        if form.is_valid():
            try:
                round_table = editor.create_round_table(forum=self.forum, actor=request.user, data=form.values())
            except ValidationError as error:
                form.add_errors(error)
            else:
                messages.success(request, _("Round table %(code)s created.") % {"code": round_table.code})
                return redirect("roundtables:staff-programme-round-table", forum=self.forum.slug, pk=round_table.pk)
        return no_store(render(request, self.template_name, {"form": form, "forum": self.forum}))


def _round_table_kwargs(round_table):
    return {"forum": round_table.forum.slug, "pk": round_table.pk}


def round_table_context(round_table, **overrides):
    forum = round_table.forum
    questions = list(round_table.guiding_questions.order_by("position"))
    context = {
        "forum": forum,
        "round_table": round_table,
        "questions": [
            (question, QuestionForm(forum=forum, instance=question, prefix=f"question-{question.pk}"))
            for question in questions
        ],
        "question_form": QuestionForm(forum=forum, prefix="new-question"),
        "target_links": list(round_table.target_links.select_related("target")),
        "theme_links": list(round_table.theme_links.select_related("theme")),
        "link_form": LinkForm(),
        "link_add_url": reverse("roundtables:staff-programme-link-add", kwargs=_round_table_kwargs(round_table)),
        "link_remove_url": reverse("roundtables:staff-programme-link-remove", kwargs=_round_table_kwargs(round_table)),
        "status_message": "",
    }
    context.update(overrides)
    if "form" not in context:
        context["form"] = RoundTableForm(forum=forum, instance=round_table)
    return context


class RoundTableEditor(DetailsEditor):
    """GET /<lang>/staff/programme/<forum>/round-tables/<pk>/. POST: save its details (refused if stale)."""

    template_name = "roundtables/programme_staff/round_table.html"

    def page_context(self, **overrides):
        return round_table_context(self.round_table, **overrides)

    def details_form(self, data):
        return RoundTableForm(data, forum=self.forum, instance=self.round_table)

    def save(self, form):
        editor.update_round_table(
            round_table=self.round_table, actor=self.request.user, data=form.values(), version=_version(form)
        )
        return _("The round table's details are saved."), self.round_table_url()


class PanelAction(ProgrammeStaffMixin, staff_panels.PanelAction):
    """A change from the questions or links panel; the status line comes back with it, out of band."""

    panel = "questions"
    template_name = RoundTableEditor.template_name
    panel_folder = "roundtables/programme_staff"

    def page_url(self, anchor):
        return self.round_table_url(anchor)

    def page_context(self, **overrides):
        round_table = RoundTable.objects.select_related("forum", "sub_theme").get(pk=self.round_table.pk)
        return round_table_context(round_table, **overrides)

    def out_of_band(self, context):
        return render_to_string("roundtables/programme_staff/_status_oob.html", context, request=self.request)

    def question(self):
        return get_object_or_404(GuidingQuestion, pk=self.kwargs["question"], round_table=self.round_table)


class QuestionAdd(PanelAction):
    def act(self, request):
        self.form = QuestionForm(request.POST, forum=self.forum, prefix="new-question")
        if not self.form.is_valid():
            raise ValidationError(_("The question was not added: see the form."))
        try:
            question = editor.add_question(round_table=self.round_table, actor=request.user, data=self.form.values())
        except ValidationError as error:
            self.form.add_errors(error)
            raise
        return _("Question %(number)s added at the end.") % {"number": question.position}

    def refused(self, error):
        return {"question_form": self.form, "questions_error": error_text(error)}


class QuestionChange(PanelAction):
    def act(self, request):
        question = self.question()
        self.form = QuestionForm(request.POST, forum=self.forum, instance=question, prefix=f"question-{question.pk}")
        if not self.form.is_valid():
            raise ValidationError(_("The question was not saved: see the form."))
        try:
            editor.update_question(
                question=question, actor=request.user, data=self.form.values(), version=_version(self.form)
            )
        except ValidationError as error:
            self.form.add_errors(error)
            raise
        return _("Question %(number)s saved.") % {"number": question.position}

    def refused(self, error):
        # What was typed comes back in the question's form, opened, with the reason.
        message = error_text(error) if isinstance(error, ValidationError) else str(error)
        questions = [
            (question, self.form if question.pk == self.form.instance.pk else form)
            for question, form in round_table_context(self.round_table)["questions"]
        ]
        return {"questions": questions, "questions_error": message, "open_question": self.form.instance.pk}


class QuestionRemove(PanelAction):
    def act(self, request):
        question = self.question()
        position = question.position
        editor.remove_question(question=question, actor=request.user)
        return _("Question %(number)s removed.") % {"number": position}


class QuestionMove(PanelAction):
    """The keyboard's way of reordering: one place up or down."""

    def act(self, request):
        question = self.question()
        moved = staff_panels.move_one_place(
            request,
            question,
            partial(editor.move_question, question=question, actor=request.user),
            _("Choose to move the question up or down."),
        )
        total = self.round_table.guiding_questions.count()
        values = {"position": question.position, "total": total}
        if not moved:
            return _("The question is already at position %(position)s of %(total)s.") % values
        return _("Question moved to position %(position)s of %(total)s.") % values


class QuestionsReorder(PanelAction):
    """Drag and drop posts the whole new order (order=<id>, … in order)."""

    def act(self, request):
        editor.reorder_questions(round_table=self.round_table, actor=request.user, order=request.POST.getlist("order"))
        return _("Order of the questions saved.")


class LinkAdd(PanelAction):
    panel = "links"
    form_class = LinkForm

    def link_owner(self):
        """Whose links change, as ``editor.add_link`` and ``remove_link`` take it."""
        return {"round_table": self.round_table}

    def act(self, request):
        self.form = self.form_class(request.POST)
        if not self.form.is_valid():
            raise ValidationError(_("The link was not added: see the form."))
        try:
            other = editor.add_link(**self.link_owner(), actor=request.user, **self.form.cleaned_data)
        except ValidationError as error:
            self.form.add_error(None, error)
            raise
        return _("%(code)s linked.") % {"code": other.code}

    def refused(self, error):
        return {"link_form": self.form, "links_error": error_text(error)}


class LinkRemove(PanelAction):
    panel = "links"
    link_owner = LinkAdd.link_owner

    def act(self, request):
        code = request.POST.get("code", "")
        editor.remove_link(**self.link_owner(), actor=request.user, kind=request.POST.get("kind"), code=code)
        return _("Link to %(code)s removed.") % {"code": code}


class ForumPanel:
    """The links panel on the forum's editor: the forum's own links to the Compact themes."""

    template_name = ForumEditor.template_name
    form_class = ForumLinkForm

    def link_owner(self):
        return {"forum": self.forum}

    def page_url(self, anchor):
        return self.forum_url(anchor)

    def page_context(self, **overrides):
        return forum_context(Forum.objects.get(pk=self.forum.pk), **overrides)

    def out_of_band(self, context):
        """The status line and the forum's latest changes, which now begin with this one."""
        changes = render_to_string(
            "roundtables/programme_staff/_changes.html", {**context, "oob": True}, request=self.request
        )
        return super().out_of_band(context) + changes


class ForumLinkAdd(ForumPanel, LinkAdd):
    """POST /<lang>/staff/programme/<forum>/links/: link the forum to a Compact theme."""


class ForumLinkRemove(ForumPanel, LinkRemove):
    """POST /<lang>/staff/programme/<forum>/links/remove/."""
