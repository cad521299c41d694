"""What the registration tests share."""

import pytest

from common.models import OutboxTask
from roundtables.models import Session
from roundtables.registration import services


@pytest.fixture
def common_space(forum, staff):
    """The 2017 forum's common space, open to everyone with 60 seats; the outbox empty."""
    session = Session.objects.get(forum=forum, slug="common-space")
    services.configure_registration(session=session, staff=staff, total_seats=60, quotas={}, eligible_constituencies=[])
    OutboxTask.objects.all().delete()
    return session
