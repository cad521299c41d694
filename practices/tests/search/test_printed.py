"""practices.search.printed: the filters column and the results, printed in Python, are the HTML the
templates printed (their loops are kept here as the reference), escaped, in every language."""

import datetime

import pytest
from django.template import engines
from django.utils import translation

from practices.search import printed
from practices.tests.search.helpers import run
from practices.tests.search_factories import Status, make_practice
from sdg_targets.models import CompactTheme, Goal, Target

pytestmark = pytest.mark.django_db

# The loops of list_facets.html and list_results.html before they were printed in Python.
FACETS_TEMPLATE = """{% load i18n %}{% for facet in result.facets %}{% if facet.values %}
<fieldset class="facet mb-3">
  <legend class="h6">{{ facet.label }}</legend>
  <details{% if facet.any_selected or facet.values|length <= 8 %} open{% endif %}>
    <summary>{% blocktranslate count counter=facet.values|length %}{{ counter }} value{% plural %}{{ counter }} values{% endblocktranslate %}</summary>
    {% for value in facet.values %}
    <div class="form-check">
      <input class="form-check-input" type="checkbox" name="{{ facet.name }}" value="{{ value.value }}" id="facet-{{ facet.name }}-{{ forloop.counter }}"{% if value.selected %} checked{% endif %}>
      <label class="form-check-label fw-normal mt-0" for="facet-{{ facet.name }}-{{ forloop.counter }}"{% if value.detail %} title="{{ value.detail }}"{% endif %}>{{ value.label }}{% if value.detail %} <span class="small">{{ value.detail|truncatewords:8 }}</span>{% endif %} <span class="text-body-secondary">({{ value.count }})</span></label>
    </div>
    {% endfor %}
  </details>
</fieldset>
{% endif %}{% endfor %}"""  # noqa: E501

RESULTS_TEMPLATE = """{% load i18n %}{% for practice in result.results %}
  <li class="mb-4">
    <article aria-labelledby="practice-{{ practice.pk }}-title">
      <h3 class="h5 mb-1" id="practice-{{ practice.pk }}-title"><a href="{{ practice.get_absolute_url }}" lang="{{ practice.language }}">{{ practice.title_html }}</a>
        {% if practice.status != "published" %}<span class="badge text-bg-warning">{{ practice.get_status_display }}</span>{% endif %}</h3>
      <p class="small text-body-secondary mb-1">{{ practice.organisation.name }}{% if practice.countries %} · {% for country in practice.countries %}{{ country.name }}{% if not forloop.last %}, {% endif %}{% endfor %}{% endif %}{% if practice.start_date %} · {% if practice.ongoing %}{% blocktranslate with year=practice.start_date.year %}since {{ year }}{% endblocktranslate %}{% elif practice.end_date and practice.end_date.year != practice.start_date.year %}{{ practice.start_date.year }}–{{ practice.end_date.year }}{% else %}{{ practice.start_date.year }}{% endif %}{% endif %}</p>
      <p class="mb-1" lang="{{ practice.language }}">{{ practice.snippet_html }}</p>
      {% with targets=practice.sdg_targets.all themes=practice.compact_themes.all %}{% if targets or themes %}
      <p class="small mb-0">{% if targets %}{% translate "SDG targets" %}{% translate ": " context "label separator" %}{% for target in targets %}{{ target.code }}{% if not forloop.last %}, {% endif %}{% endfor %}{% endif %}{% if targets and themes %} · {% endif %}{% if themes %}{% translate "Global Compact themes" %}{% translate ": " context "label separator" %}{% for theme in themes %}{{ theme.code }}{% if not forloop.last %}, {% endif %}{% endfor %}{% endif %}</p>
      {% endif %}{% endwith %}
    </article>
  </li>
  {% endfor %}"""  # noqa: E501


def _reference(template, result):
    return engines["django"].from_string(template).render({"result": result})


def _world(personas):
    goal = Goal.objects.create(number=16, title_en="Peace")
    targets = [
        Target.objects.create(goal=goal, code=code, position=position, text_en=text)
        for code, position, text in (
            ("16.b", 12, "Promote <non-discriminatory> laws & policies for sustainable development, said “they”"),
            ("16.2", 2, "End abuse"),
            ("16.10", 10, "Ensure public access to information and protect fundamental freedoms everywhere"),
        )
    ]
    themes = [
        CompactTheme.objects.create(code=code, cluster=code[0], title_en=f"Theme {code} <&>") for code in ("C.f", "A.a")
    ]
    government = personas.government('Ministry "of" <Labour> & Co')
    common = {"summary": "Lighthouse <summary> & more", "description": "A lighthouse for the 'coast'."}
    make_practice(
        government,
        title="Lighthouse <b>one</b> & two",
        countries=["MA", "SN", "CI"],
        targets=targets,
        themes=themes,
        start_date=datetime.date(2014, 3, 1),
        ongoing=True,
        constituencies=["government", "civil_society"],
        gender_responsive=True,
        **common,
    )
    make_practice(
        government,
        title="Lighthouse years",
        countries=["FR"],
        targets=targets[1:2],
        start_date=datetime.date(2012, 1, 1),
        end_date=datetime.date(2015, 1, 1),
        published_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC),
        **common,
    )
    make_practice(
        government,
        title="Lighthouse same year",
        themes=themes[:1],
        start_date=datetime.date(2016, 1, 1),
        end_date=datetime.date(2016, 6, 1),
        published_at=datetime.datetime(2019, 1, 1, tzinfo=datetime.UTC),
        **common,
    )
    make_practice(government, title="Lighthouse bare", gender_responsive=False, **common)
    make_practice(government, title="Lighthouse draft", status=Status.DRAFT, **common)
    for number in range(12):  # more than 8 years: a facet that starts closed
        make_practice(government, title=f"Beacon {number}", start_date=datetime.date(1990 + number, 1, 1), **common)


@pytest.mark.parametrize("language", ["en", "fr", "es"])
@pytest.mark.parametrize(
    "search",
    [
        {},
        {"q": "lighthouse"},
        {"q": "lighthouse", "sdg_target": ["16.2"], "year": ["2012"]},
        {"compact_theme": ["A.a"], "country": ["FR", "MA"]},
    ],
    ids=["everything", "query", "query and filters", "filters"],
)
def test_the_printed_html_is_the_templates(personas, language, search):
    _world(personas)
    staff = personas.staff()  # sees the draft too, with its status badge
    with translation.override(language):
        result = run(staff, **search)
        assert result.results and any(value.selected for facet in result.facets for value in facet.values) == (
            len(search) > int("q" in search)
        )
        assert printed.facets_html(result.facets) == _reference(FACETS_TEMPLATE, result)
        assert printed.results_html(result.results) == _reference(RESULTS_TEMPLATE, result)


def test_what_the_printed_html_shows(personas):
    _world(personas)
    with translation.override("fr"):
        result = run(personas.staff(), q="lighthouse")
        facets = printed.facets_html(result.facets)
        results = printed.results_html(result.results)
    # Escaped, the long description cut after 8 words beside the value and whole in its title.
    assert "Promote &lt;non-discriminatory&gt; laws &amp; policies for sustainable development, …</span>" in facets
    assert (
        'title="Promote &lt;non-discriminatory&gt; laws &amp; policies for sustainable development, said “they”"'
        in facets
    )
    assert "<non-discriminatory>" not in facets and "<b>one</b>" not in results
    assert "&lt;b&gt;one&lt;/b&gt; &amp; two</a>" in results
    assert (
        "Ministry &quot;of&quot; &lt;Labour&gt; &amp; Co · Côte d&#x27;Ivoire, Maroc, Sénégal · depuis 2014</p>"
        in results
    )
    # Targets in their goal's order (16.2, 16.10, 16.b), themes by code, in French (a no-break space
    # before the colon); the years.
    assert "Cibles des ODD\u00a0: 16.2, 16.10, 16.b · Thèmes du pacte mondial\u00a0: A.a, C.f</p>" in results
    assert "France · 2012–2015</p>" in results and "Co · 2016</p>" in results
    assert '<span class="badge text-bg-warning">Brouillon</span>' in results
    assert "<summary>4 valeurs</summary>" in facets
