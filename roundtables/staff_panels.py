"""The panels of the staff editors: the agenda's session editor (people with roles, running order)
and the programme's round table and forum editors (guiding questions, links).

Every change from a panel is a POST that works with and without JavaScript. With htmx the panel
comes back, with whatever else the page shows out of band; without, the whole editor is sent
again: after a redirect, with the status message flashed, when the change was made.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views import View

from common.http import error_text, is_htmx, no_store
from roundtables.agenda.services import VersionConflict


def refusal_text(error):
    """What a panel says when a change is refused: a ValidationError's messages, or a conflict's."""
    return error_text(error) if isinstance(error, ValidationError) else str(error)


class PanelAction(View):
    """A change from one panel of an editor page (see the module's docstring).

    A subclass names its ``panel`` and ``template_name`` (the whole page), the folder of the panel's
    template ``_<panel>_panel.html``, and says how to make the change (``act``), where the page is
    (``page_url``), what it shows (``page_context``) and what else goes with the panel (``out_of_band``).
    """

    panel = ""
    template_name = ""
    panel_folder = ""

    def act(self, request):
        """Make the change; return the status message, or raise ValidationError (or VersionConflict)."""
        raise NotImplementedError

    def refused(self, error):
        """What the page shows when ``act`` refused the change, as context overrides."""
        return {f"{self.panel}_error": refusal_text(error)}

    def page_url(self, anchor):
        raise NotImplementedError

    def page_context(self, **overrides):
        raise NotImplementedError

    def out_of_band(self, context):
        """The HTML that htmx swaps elsewhere on the page along with the panel."""
        return ""

    def post(self, request, *args, **kwargs):
        overrides, status = {}, 200
        try:
            status_message = self.act(request)
        except VersionConflict as conflict:
            overrides.update(self.refused(conflict))
            status_message, status = "", 409
        except ValidationError as error:
            overrides.update(self.refused(error))
            status_message = ""
        else:
            if not is_htmx(request):
                messages.success(request, status_message)
                return redirect(self.page_url(f"{self.panel}-panel"))
        context = self.page_context(status_message=status_message, **overrides)
        if not is_htmx(request):
            return no_store(render(request, self.template_name, context, status=status))
        html = render_to_string(f"{self.panel_folder}/_{self.panel}_panel.html", context, request=request)
        html += self.out_of_band(context)
        return no_store(HttpResponse(html, status=status))


def move_one_place(request, row, move, refusal):
    """The keyboard's way of reordering: ``row`` one place up or down, as the POST's ``direction`` says
    (``refusal`` when it says neither). ``move(direction=…)`` makes the move and says whether there was
    room to; ``row``'s position is read again after it. Returns that answer."""
    direction = request.POST.get("direction")
    if direction not in ("up", "down"):
        raise ValidationError(refusal)
    moved = move(direction=direction)
    row.refresh_from_db(fields=["position"])
    return moved
