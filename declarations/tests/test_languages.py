"""The language versions side by side (declarations.languages, StaffLanguages) and the warning when a
version that does not align with the others' final versions is published."""

import pytest
from django.urls import reverse

from declarations import editing
from declarations.tests.compile.helpers import compile_now, contribute
from roundtables.models import Contribution

pytestmark = pytest.mark.django_db

ONE = "Extend consular protection to migrant workers in every country of transit."
TWO = "Recognise the skills of returning migrants in national qualification frameworks."


def _publish(client, draft):
    client.post(reverse("declarations:staff-mark-final", kwargs={"pk": draft.pk}))
    response = client.post(reverse("declarations:staff-publish", kwargs={"pk": draft.pk}), follow=True)
    return response.content.decode()


def test_side_by_side_marks_what_is_out_of_date_and_publishing_warns_when_not_aligned(forum, staff_client):
    round_table = forum.round_tables.get(code="1.1")
    contribute(round_table, ONE)
    contribute(round_table, TWO, country="SN")
    english = compile_now(forum, "en").draft
    french = compile_now(forum, "fr").draft
    url = reverse("declarations:staff-languages", kwargs={"forum": forum.slug})
    page = staff_client.get(url).content.decode()
    assert "The language versions align" in page and "paragraph-out-of-date" not in page
    assert f"English v{english.version}" in page and f"French v{french.version}" in page

    # Staff edit the English §1: the French §1 is now out of date, the rest is not.
    edited = editing.edit_paragraph(
        draft=english, position=english.paragraphs.get(number="1").position, text="Extend consular protection.",
        editor=staff_client.user, latest_seen=english.version,
    )  # fmt: skip
    page = staff_client.get(url).content.decode()
    row_one = page[page.index('id="n-1"') : page.index('id="n-2"')]
    assert "paragraph-out-of-date" in row_one and "Extend consular protection." in row_one
    assert row_one.index("paragraph-out-of-date") > row_one.index('lang="fr"')  # the French cell, not the English
    assert "paragraph-out-of-date" not in page[page.index('id="n-2"') :]

    # Both final; publishing the English, aligned with the French final version: no warning.
    staff_client.post(reverse("declarations:staff-mark-final", kwargs={"pk": french.pk}))
    page = _publish(staff_client, edited)
    assert f"Version {edited.version} is published." in page and "do not align" not in page

    # A new statement gives the English draft a synthesis paragraph the French one lacks: publishing
    # it warns (it is still published: the co-chairs may publish one language first).
    contribute(round_table, "We observe that consular fees keep migrant workers from renewing passports abroad.",
               kind=Contribution.Kind.STATEMENT)  # fmt: skip
    newer = compile_now(forum, "en").draft
    page = staff_client.post(reverse("declarations:staff-publish", kwargs={"pk": newer.pk}), follow=True)
    page = page.content.decode()
    assert f"Version {newer.version} is published." in page
    assert "Its paragraphs do not align with the final version in French" in page
    page = staff_client.get(url).content.decode()
    assert "The language versions do not align" in page and "not aligned" in page


@pytest.mark.parametrize("count", [1, 12])
def test_side_by_side_query_count(forum, staff_client, django_assert_num_queries, count):
    round_table = forum.round_tables.get(code="1.1")
    for index in range(count):
        contribute(round_table, f"Recommendation number {index} on consular protection of migrants, item {index}.")
    english = compile_now(forum, "en").draft
    compile_now(forum, "fr")
    compile_now(forum, "es")
    first = english.paragraphs.get(number="1")
    editing.edit_paragraph(draft=english, position=first.position, text="Edited.", editor=staff_client.user,
                           latest_seen=english.version)  # fmt: skip
    url = reverse("declarations:staff-languages", kwargs={"forum": forum.slug})
    # Session, user, second factor…; the declarations; per language its latest version, compile time, paragraphs.
    with django_assert_num_queries(11):
        staff_client.get(url)
