"""The practice search's in-process facet index: rebuilt after every change, never trusted for visibility."""

import numpy as np
import pytest
from django.contrib.auth.models import AnonymousUser

from practices import search
from practices.models import Practice, SearchGeneration
from practices.search import facet_index
from practices.tests.search_factories import Status, make_practice
from roundtables.tests.factories import make_frameworks

pytestmark = pytest.mark.django_db


def token():
    return SearchGeneration.objects.get(pk=1).token


def run(**filters):
    return search.search(user=AnonymousUser(), q="", filters={k: tuple(v) for k, v in filters.items()}, page=1)


def test_every_change_to_a_practice_or_its_links_gives_a_new_token(personas):
    target, _theme = make_frameworks()
    before = token()
    practice = make_practice(personas.government(), title="Tokened")
    after_create = token()
    practice.title = "Renamed"
    practice.save()
    after_save = token()
    practice.sdg_targets.add(target)
    after_link = token()
    practice.delete()
    assert len({before, after_create, after_save, after_link, token()}) == 5


def test_an_index_is_rebuilt_when_the_token_changed_and_reused_otherwise(personas):
    government = personas.government()
    make_practice(government, title="First", countries=["MA"])
    first = facet_index.current()
    assert facet_index.current() is first
    assert search.search(user=AnonymousUser(), q="", filters={}, page=1).total == 1
    make_practice(government, title="Second", countries=["MA", "SN"])
    second = facet_index.current()
    assert second is not first and second.size == 2
    result = run()
    assert result.total == 2
    counts = {value.value: value.count for facet in result.facets if facet.name == "country" for value in facet.values}
    assert counts == {"MA": 2, "SN": 1}


def test_a_stale_index_never_shows_what_the_visitor_may_not_see(personas):
    government = personas.government()
    make_practice(government, title="Public one")
    hidden = make_practice(government, title="Withdrawn meanwhile")
    facet_index.current()
    # A change that bypasses the model (no signal, so no new token): the index still holds it as
    # published, but the page is read through visible_practices.
    Practice.objects.filter(pk=hidden.pk).update(status=Status.WITHDRAWN)
    assert [practice.title for practice in run().results] == ["Public one"]


def test_ids_unknown_to_the_index_are_left_out():
    index = facet_index.FacetIndex(
        token="t",
        ids=np.array([30, 20, 10]),
        sorted_ids=np.array([10, 20, 30]),
        sorted_positions=np.array([2, 1, 0]),
        published=np.array([True, True, False]),
        organisation=np.array([1, 2, 1]),
        values={},
    )
    assert index.positions_of([20, 99, 10, 5]).tolist() == [1, 2]
    assert index.positions_of([]).tolist() == []
