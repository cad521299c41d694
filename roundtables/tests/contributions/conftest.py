"""Fixtures of the contributions' tests: two round tables of the 2017 forum, staff, an author."""

import pytest

from stakeholders.models import Profile


@pytest.fixture
def rt11(forum):
    return forum.round_tables.get(code="1.1")


@pytest.fixture
def rt12(forum):
    return forum.round_tables.get(code="1.2")


@pytest.fixture
def author(personas):
    """A civil-society participant of the Migrant Rights Network (Morocco), who reads French."""
    user = personas.participant("amina@example.org", language="fr")
    user.first_name, user.last_name = "Amina", "Benali"
    user.save()
    Profile.objects.filter(user=user).update(country="MA")
    return user
