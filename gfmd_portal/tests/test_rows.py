"""gfmd_portal/tests/rows.py: the ``forum`` fixture's recorded rows are what a load of the 2017 forum
writes, and they are written only into the state they were recorded in."""

import pytest
from django.apps import apps
from django.db import transaction

from gfmd_portal.tests.rows import RowSnapshot
from roundtables.models import Forum, RoundTable
from roundtables.programme.services import load_forum
from stakeholders.models import Organisation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("require_postgres")]


def _counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models(include_auto_created=True)}


def test_the_restored_rows_are_what_a_load_writes(_forum_rows):
    with transaction.atomic():
        loaded, _tally = load_forum()
        loaded_counts = _counts()
        _again, reloaded = load_forum()
        transaction.set_rollback(True)
    assert not Forum.objects.exists()
    pk = _forum_rows.restore()
    assert pk is not None
    assert _counts() == loaded_counts
    forum = Forum.objects.get(pk=pk)
    assert forum.slug == loaded.slug and forum.is_current
    codes = sorted(RoundTable.objects.filter(forum=forum).values_list("code", flat=True))
    assert codes == ["1.1", "1.2", "2.1", "2.2", "3.1", "3.2"]
    # Loading the file again finds every row as the file has it: nothing to create, change or delete.
    _forum, tally = load_forum()
    assert (tally.created, tally.updated, tally.deleted) == (0, 0, 0), str(tally)
    assert tally.unchanged == reloaded.unchanged > 0


def test_the_fixture_gives_the_loaded_forum(forum):
    assert forum.slug == "gfmd-2017" and forum.round_tables.count() == 6
    assert RoundTable.objects.filter(forum=forum, code="1.1").get().guiding_questions.exists()


def test_nothing_is_written_into_another_state(_forum_rows):
    Organisation.objects.create(name="Not in the recorded state", constituency="civil_society")
    assert _forum_rows.restore() is None
    assert not Forum.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_rows_are_restored_outside_a_test_transaction_too():
    """In a transactional test the rows are committed (as a load would), references checked at the end."""
    snapshot = RowSnapshot.record(lambda: load_forum()[0].pk)
    assert not Forum.objects.exists()
    with transaction.atomic():
        load_forum()
        loaded_counts = _counts()
        transaction.set_rollback(True)
    pk = snapshot.restore()
    assert Forum.objects.filter(pk=pk, slug="gfmd-2017").exists()
    assert _counts() == loaded_counts
