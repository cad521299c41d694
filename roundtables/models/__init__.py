"""The models of the forum programme, one module per feature (programme, agenda, registration,
contributions); all of them are importable from here, as ``from roundtables.models import Session``."""

from roundtables.models.agenda import AgendaItem, CalendarFeedToken, Session, SessionChange, SessionRole
from roundtables.models.contributions import Contribution, RapporteurReport
from roundtables.models.programme import (
    Forum,
    ForumCompactTheme,
    ForumQuerySet,
    GuidingQuestion,
    LinkSource,
    ProgrammeChange,
    RoundTable,
    RoundTableTarget,
    RoundTableTheme,
    SubTheme,
    zone_named,
)
from roundtables.models.registration import OPEN_SEATS, BadgeJob, Registration, RegistrationPolicy, SeatQuota

__all__ = [
    "OPEN_SEATS",
    "AgendaItem",
    "BadgeJob",
    "CalendarFeedToken",
    "Contribution",
    "Forum",
    "ForumCompactTheme",
    "ForumQuerySet",
    "GuidingQuestion",
    "LinkSource",
    "ProgrammeChange",
    "RapporteurReport",
    "Registration",
    "RegistrationPolicy",
    "RoundTable",
    "RoundTableTarget",
    "RoundTableTheme",
    "SeatQuota",
    "Session",
    "SessionChange",
    "SessionRole",
    "SubTheme",
    "zone_named",
]
