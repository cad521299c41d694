"""Agenda curation for co-chair staff: the forum's sessions, and one session's editor.

The editor is one page: the details form (a plain POST, with the version it was opened at),
the people with roles and the running order (htmx: each change answers with the panel
again, and the problems, balance and changes panels swapped out of band), and publication.
Every button is a form that also works without JavaScript (then the page is sent again).
All rules live in ``agenda.services`` (and the checks in ``agenda.checks``).
"""

from functools import cached_property, partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from common.http import error_text, no_store
from roundtables import staff_panels
from roundtables.agenda import services
from roundtables.agenda.checks import balance, problems, problems_for
from roundtables.agenda.forms import ItemChangeForm, ItemForm, RoleChangeForm, RoleForm, SessionForm
from roundtables.agenda.queries import local, role_person
from roundtables.models import AgendaItem, GuidingQuestion, Session, SessionRole
from roundtables.programme.queries import forum_or_404
from stakeholders.permissions import PermissionRequiredMixin

EDITOR_TEMPLATE = "roundtables/agenda_staff/editor.html"
CHANGES_SHOWN = 15


class AgendaStaffMixin(PermissionRequiredMixin):
    permission = "roundtables.curate_agenda"

    @cached_property
    def forum(self):
        return forum_or_404()

    @cached_property
    def session(self):
        return get_object_or_404(
            Session.objects.select_related("forum", "round_table"), forum=self.forum, slug=self.kwargs["slug"]
        )

    def editor_url(self, anchor=""):
        url = reverse("roundtables:staff-agenda-session", kwargs={"slug": self.session.slug})
        return f"{url}#{anchor}" if anchor else url


def editor_context(session, **overrides):
    """Everything the editor shows, in a fixed number of queries whatever the forum's size."""
    roles = list(session.roles.select_related("person__profile__organisation").order_by("position", "id"))
    items = list(session.agenda_items.select_related("guiding_question").order_by("position", "id"))
    questions = (
        list(GuidingQuestion.objects.filter(round_table_id=session.round_table_id).order_by("position"))
        if session.round_table_id
        else []
    )
    found = problems(session.forum)
    total = sum(item.minutes for item in items)
    length = int((session.end - session.start).total_seconds() // 60) if session.start and session.end else None
    context = {
        "session": session,
        "forum": session.forum,
        "start": local(session.start, session.forum),
        "end": local(session.end, session.forum),
        "roles": [(role, *role_person(role)) for role in roles],
        "items": items,
        "questions": questions,
        "problems": problems_for(session, found),
        "other_problems": len(found) - len(problems_for(session, found)),
        "balance": balance(session, roles),
        "changes": list(session.changes.select_related("actor")[:CHANGES_SHOWN]),
        "total_minutes": total,
        "session_minutes": length,
        "role_form": RoleForm(),
        "role_change_form": RoleChangeForm(),
        "item_form": ItemForm(session=session, questions=questions),
        "status_message": "",
    }
    context.update(overrides)
    if "form" not in context:
        context["form"] = SessionForm(initial=SessionForm.initial_for(session), forum=session.forum)
    return context


# --- The forum's sessions ------------------------------------------------------------------------


class AgendaOverview(AgendaStaffMixin, TemplateView):
    """GET /<lang>/staff/agenda/: every session of the current forum, with its status and problems."""

    template_name = "roundtables/agenda_staff/overview.html"

    def get_context_data(self, **kwargs):
        forum = self.forum
        sessions = list(
            Session.objects.filter(forum=forum).select_related("round_table").order_by("start", "kind", "id")
        )
        found = problems(forum)
        counts = {}
        for problem in found:
            for pk in problem.sessions:
                counts[pk] = counts.get(pk, 0) + 1
        role_counts = dict(
            SessionRole.objects.filter(session__forum=forum)
            .order_by()
            .values_list("session_id")
            .annotate(count=Count("id"))
        )
        by_id = {session.pk: session for session in sessions}
        rows = [
            {
                "session": session,
                "start": local(session.start, forum),
                "end": local(session.end, forum),
                "problems": counts.get(session.pk, 0),
                "roles": role_counts.get(session.pk, 0),
            }
            for session in sessions
        ]
        problem_rows = [(problem, [by_id[pk] for pk in problem.sessions]) for problem in found]
        return super().get_context_data(forum=forum, rows=rows, problem_rows=problem_rows, **kwargs)

    def get(self, request, *args, **kwargs):
        return no_store(super().get(request, *args, **kwargs))


class SessionCreate(AgendaStaffMixin, View):
    """GET/POST /<lang>/staff/agenda/new/: a new draft session."""

    template_name = "roundtables/agenda_staff/create.html"

    def get(self, request):
        form = SessionForm(forum=self.forum, initial={"venue": self.forum.city})
        return no_store(render(request, self.template_name, {"form": form, "forum": self.forum}))

    def post(self, request):
        form = SessionForm(request.POST, forum=self.forum)
        if form.is_valid():
            try:
                session = services.create_session(forum=self.forum, actor=request.user, data=form.session_values())
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The session is created as a draft: only staff see it."))
                return redirect("roundtables:staff-agenda-session", slug=session.slug)
        return no_store(render(request, self.template_name, {"form": form, "forum": self.forum}))


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields else None
            if name in ("start", "end"):
                target = "end_time"
            for message in errors:
                form.add_error(target, message)
    else:
        form.add_error(None, error)


# --- One session's editor --------------------------------------------------------------------------


class SessionEditor(AgendaStaffMixin, View):
    """GET /<lang>/staff/agenda/<slug>/: the editor. POST: save the details (refused if stale)."""

    def get(self, request, slug):
        return no_store(render(request, EDITOR_TEMPLATE, editor_context(self.session)))

    def post(self, request, slug):
        session = self.session
        form = SessionForm(request.POST, forum=self.forum)
        if not form.is_valid():
            return self._again(form)
        version = form.cleaned_data.get("version")
        try:
            services.update_session(
                session=session,
                actor=request.user,
                data=form.session_values(),
                # A form without the version it was opened at cannot prove it is current (versions start at 1).
                version=version or 0,
            )
        except services.VersionConflict as conflict:
            return self._again(form, conflict=_error_text_of(conflict), status=409)
        except ValidationError as error:
            _add_errors(form, error)
            return self._again(form)
        messages.success(request, _("The session's details are saved."))
        return redirect(self.editor_url())

    def _again(self, form, conflict="", status=200):
        # What the person typed stays in the form; only the lock's version is the current one.
        context = editor_context(self.session, form=form, conflict=conflict, details_refused=True)
        return no_store(render(self.request, EDITOR_TEMPLATE, context, status=status))


def _error_text_of(exception):
    return str(exception.args[0]) if exception.args else ""


class SessionPublish(AgendaStaffMixin, View):
    """POST /<lang>/staff/agenda/<slug>/publish/ with action=publish|unpublish."""

    def post(self, request, slug):
        action = request.POST.get("action")
        if action == "publish":
            services.publish(session=self.session, actor=request.user)
            messages.success(request, _("The session is published: the public sees it on the agenda."))
        elif action == "unpublish":
            services.unpublish(session=self.session, actor=request.user)
            messages.success(request, _("The session is back to draft: the public no longer sees it."))
        else:
            messages.error(request, _("Choose to publish or to withdraw the session."))
        return redirect(self.editor_url())


# --- Panels: people with roles, running order (htmx, or a plain form) -------------------------------


class PanelAction(AgendaStaffMixin, staff_panels.PanelAction):
    """A change from the roles or running-order panel; the checks come back with it, out of band."""

    panel = ""  # "roles" or "order"
    template_name = EDITOR_TEMPLATE
    panel_folder = "roundtables/agenda_staff"

    @property
    def pk(self):
        """The role's or step's key, in the URLs that name one."""
        return self.kwargs.get("pk")

    def page_url(self, anchor):
        return self.editor_url(anchor)

    def page_context(self, **overrides):
        session = Session.objects.select_related("forum", "round_table").get(pk=self.session.pk)
        return editor_context(session, **overrides)

    def out_of_band(self, context):
        return render_to_string("roundtables/agenda_staff/_checks.html", {**context, "oob": True}, request=self.request)


class RoleAdd(PanelAction):
    panel = "roles"

    def act(self, request):
        self.form = RoleForm(request.POST)
        if not self.form.is_valid():
            raise ValidationError(_("The person was not added: see the form."))
        try:
            holder = services.add_role(session=self.session, actor=request.user, **self.form.role_values())
        except ValidationError as error:
            _add_errors(self.form, error)
            raise
        name, _organisation = role_person(holder)
        return _("%(name)s added as %(role)s.") % {"name": name, "role": holder.get_role_display()}

    def refused(self, error):
        # The form comes back bound: what was typed is kept, with its errors.
        return {"role_form": self.form, "roles_error": error_text(error)}


class RoleChange(PanelAction):
    panel = "roles"

    def act(self, request):
        holder = get_object_or_404(SessionRole.objects.select_related("person"), pk=self.pk, session=self.session)
        form = RoleChangeForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Choose a role."))
        services.update_role(holder=holder, actor=request.user, role=form.cleaned_data["role"])
        name, _organisation = role_person(holder)
        return _("%(name)s is now %(role)s.") % {"name": name, "role": holder.get_role_display()}


class RoleRemove(PanelAction):
    panel = "roles"

    def act(self, request):
        holder = get_object_or_404(SessionRole.objects.select_related("person"), pk=self.pk, session=self.session)
        name, _organisation = role_person(holder)
        services.remove_role(holder=holder, actor=request.user)
        return _("%(name)s removed.") % {"name": name}


def _item_name(item):
    if item.guiding_question_id:
        return _("Guiding question %(number)s") % {"number": item.guiding_question.position}
    return item.title or item.get_kind_display()


class ItemAction(PanelAction):
    panel = "order"

    def item(self):
        return get_object_or_404(
            AgendaItem.objects.select_related("guiding_question"), pk=self.pk, session=self.session
        )


class ItemAdd(ItemAction):
    def act(self, request):
        self.form = ItemForm(request.POST, session=self.session)
        if not self.form.is_valid():
            raise ValidationError(_("The step was not added: see the form."))
        data = self.form.cleaned_data
        try:
            item = services.add_item(
                session=self.session,
                actor=request.user,
                kind=data["kind"],
                minutes=data["minutes"],
                title=data["title"],
                guiding_question=data.get("guiding_question"),
            )
        except ValidationError as error:
            _add_errors(self.form, error)
            raise
        return _("%(item)s added at the end.") % {"item": _item_name(item)}

    def refused(self, error):
        return {"item_form": self.form, "order_error": error_text(error)}


class ItemChange(ItemAction):
    def act(self, request):
        item = self.item()
        form = ItemChangeForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Give the minutes as a number from 1 to 600."))
        services.update_item(
            item=item, actor=request.user, minutes=form.cleaned_data["minutes"], title=form.cleaned_data["title"]
        )
        return _("%(item)s saved.") % {"item": _item_name(item)}


class ItemRemove(ItemAction):
    def act(self, request):
        item = self.item()
        name = _item_name(item)
        services.remove_item(item=item, actor=request.user)
        return _("%(item)s removed.") % {"item": name}


class ItemMove(ItemAction):
    """The keyboard's way of reordering: one place up or down."""

    def act(self, request):
        item = self.item()
        moved = staff_panels.move_one_place(
            request,
            item,
            partial(services.move_item, item=item, actor=request.user),
            _("Choose to move the step up or down."),
        )
        total = self.session.agenda_items.count()
        if not moved:
            return _("%(item)s is already at position %(position)s of %(total)s.") % {
                "item": _item_name(item),
                "position": item.position,
                "total": total,
            }
        return _("%(item)s moved to position %(position)s of %(total)s.") % {
            "item": _item_name(item),
            "position": item.position,
            "total": total,
        }


class ItemsReorder(ItemAction):
    """Drag and drop posts the whole new order (order=<id>, … in order)."""

    def act(self, request):
        services.reorder_items(session=self.session, actor=request.user, order=request.POST.getlist("order"))
        return _("Running order saved.")


class ItemsDefault(ItemAction):
    def act(self, request):
        services.default_running_order(session=self.session, actor=request.user)
        return _("Running order created: opening, the guiding questions, discussion and conclusions.")
