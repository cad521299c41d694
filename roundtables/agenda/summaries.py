"""The one-line summary of a session's change ("Changed: Start, End, Room"), kept as a code and its
values and written in the reader's language when shown: on pages, in feeds, in the printable
programme and in the API (``?lang``), in the language of each reader, not of the staff member who
made the change.

``SessionChange.code`` is one of ``CODES``; ``SessionChange.params`` holds the values the text needs
(field names, a role and who holds it, a running-order step). ``describe()`` writes the text in the
active language; ``SessionChange.summary`` keeps the English text for the admin and for rows written
before the codes (which have no code and are shown as they were stored).
"""

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

FIELD_LABELS = {
    "kind": gettext_lazy("Kind"),
    "title_en": gettext_lazy("Title (English)"),
    "title_fr": gettext_lazy("Title (French)"),
    "title_es": gettext_lazy("Title (Spanish)"),
    "description_en": gettext_lazy("Description (English)"),
    "description_fr": gettext_lazy("Description (French)"),
    "description_es": gettext_lazy("Description (Spanish)"),
    "round_table": gettext_lazy("Round table"),
    "start": gettext_lazy("Start"),
    "end": gettext_lazy("End"),
    "venue": gettext_lazy("Venue"),
    "room": gettext_lazy("Room"),
    "co_chairing_governments": gettext_lazy("Co-chairing governments"),
    "status": gettext_lazy("Status"),
    "roles": gettext_lazy("People with roles"),
    "running_order": gettext_lazy("Running order"),
}

CREATED = "created"
CHANGED = "changed"  # params: {"fields": [name, …]}
PUBLISHED = "published"
UNPUBLISHED = "unpublished"
ROLE_ADDED = "role_added"  # params: {"role": code, "who": "Name (Organisation)" or ""}
ROLE_CHANGED = "role_changed"  # params: {"old": role params, "new": role params}
ROLE_REMOVED = "role_removed"  # params: role params
ITEM_ADDED = "item_added"  # params: {"kind": code, "question": number or None, "title": text, "minutes": n}
ITEM_CHANGED = "item_changed"  # params: step params
ITEM_REMOVED = "item_removed"  # params: step params
REORDERED = "reordered"
RUNNING_ORDER_CREATED = "running_order_created"
CODES = (
    CREATED,
    CHANGED,
    PUBLISHED,
    UNPUBLISHED,
    ROLE_ADDED,
    ROLE_CHANGED,
    ROLE_REMOVED,
    ITEM_ADDED,
    ITEM_CHANGED,
    ITEM_REMOVED,
    REORDERED,
    RUNNING_ORDER_CREATED,
)


def field_label(name):
    return FIELD_LABELS.get(name, name)


def role_params(role):
    """What a role's label needs: the role's code and who holds it ('' for an unnamed participant)."""
    from roundtables.agenda.queries import role_person

    if role.person_id is None:
        name, organisation = role.guest_name, role.guest_organisation
    else:
        _email_or_name, organisation = role_person(role)
        name = role.person.get_full_name()
    # A published session's changelog is public: a person is named by their name, else by their
    # organisation only, never by their email address.
    who = f"{name} ({organisation})" if name and organisation else name or organisation or ""
    return {"role": role.role, "who": who}


def step_params(item):
    """What a running-order step's label needs."""
    question = item.guiding_question.position if item.kind == "guiding_question" and item.guiding_question_id else None
    return {"kind": item.kind, "question": question, "title": item.title, "minutes": item.minutes}


def role_text(params):
    """'Chair: Name (Organisation)' in the active language."""
    from roundtables.models import SessionRole

    role = params.get("role", "")
    label = SessionRole.Role(role).label if role in SessionRole.Role.values else role
    return f"{label}{pgettext('label separator', ': ')}{params.get('who') or _('a participant')}"


def step_text(params):
    """'Guiding question 2 (20 min)' in the active language."""
    from roundtables.models import AgendaItem

    kind = params.get("kind", "")
    if params.get("question"):
        label = _("Guiding question %(number)s") % {"number": params["question"]}
    else:
        label = params.get("title") or (AgendaItem.Kind(kind).label if kind in AgendaItem.Kind.values else kind)
    minutes = _("%(minutes)s min") % {"minutes": params.get("minutes", 0)}
    return f"{label} ({minutes})"


def describe(code, params):
    """The change's summary in the active language; None for an unknown code."""
    params = params or {}
    if code == CREATED:
        return _("Session created")
    if code == CHANGED:
        labels = ", ".join(str(field_label(name)) for name in params.get("fields", []))
        return _("Changed: %(fields)s") % {"fields": labels}
    if code == PUBLISHED:
        return _("Published")
    if code == UNPUBLISHED:
        return _("Withdrawn from the public agenda")
    if code == ROLE_ADDED:
        return _("Added %s") % role_text(params)
    if code == ROLE_CHANGED:
        return _("Changed %(old)s to %(new)s") % {
            "old": role_text(params.get("old", {})),
            "new": role_text(params.get("new", {})),
        }
    if code == ROLE_REMOVED:
        return _("Removed %s") % role_text(params)
    if code == ITEM_ADDED:
        return _("Added %s") % step_text(params)
    if code == ITEM_CHANGED:
        return _("Changed %s") % step_text(params)
    if code == ITEM_REMOVED:
        return _("Removed %s") % step_text(params)
    if code == REORDERED:
        return _("Running order changed")
    if code == RUNNING_ORDER_CREATED:
        return _("Running order created")
    return None


def in_english(code, params):
    """The summary in the default language, as ``SessionChange.summary`` keeps it."""
    with translation.override(None):
        return describe(code, params)


def summary_of(change):
    """A change's summary for the reader: from its code in the active language, else as stored."""
    return describe(change.code, change.params) if change.code else change.summary
