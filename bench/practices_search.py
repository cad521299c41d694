"""Server-side time of the practices search, its list page's queries, and a streamed CSV export.

    .venv/bin/python bench/practices_search.py             # 20,000 published + 5,000 others, 40 runs per case
    .venv/bin/python bench/practices_search.py --runs 100  # more runs
    .venv/bin/python bench/practices_search.py --rebuild   # generate the data again

Needs PostgreSQL on the loopback interface: DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/gfmd_practices_bench (created and migrated if missing). The data
(generated once, kept while the counts match): the 2017 forum with its SDG targets, Global Compact
themes and round tables; 60 governments; ``--published`` published practices and ``--others`` in the
other statuses, in English, French and Spanish, written from word lists (titles, summaries,
descriptions, results), with 1–3 countries, targets, themes, constituencies, start years and
gender-responsiveness. They are made with bulk_create, then one ``update_search_vector`` over every
id in batches, then VACUUM ANALYZE.

Everything runs in this process with DEBUG=0 and the anonymous page cache off (PAGE_CACHE_SECONDS=0,
which also turns the cache of searches off), so that every request does the work: for each case the
search function alone (``practices.search.search``) and the whole list page through Django's test
client (middleware, view, template), ``--runs`` times after a warm-up, p50 and p95 in milliseconds.
Then the same page with the cache of searches on (SEARCH_CACHE_SECONDS=600; Redis at REDIS_URL,
default redis://127.0.0.1:6379/13, when it answers): what a signed-in visitor gets when the same
search was made since the last change of content. Cases: a query with two filters; the corpus's most
frequent word (found from the generated texts), alone and with two filters; a rare word; no query.
Then the time to build the facet index (practices.search.facet_index; what the first search in each
process pays after any change) and its size. Then the SQL queries of the
list page for each case, and the CSV export of every published practice streamed through the test
client, with the process's resident memory before and after (peak from getrusage and current from
/proc) and, in a second pass, the peak of Python allocations during the export (tracemalloc).
"""

import argparse
import datetime
import os
import random
import resource
import secrets
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlencode, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages  # bench/pages.py: creating the database, probing services

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gfmd_practices_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
TARGET_P95_MS = 100

# --- Word lists ------------------------------------------------------------------------------

WORDS = {
    "en": (
        "migration migrants migrant workers labour mobility skills recognition diaspora remittances "
        "development integration reintegration return returnees community local authorities cities "
        "government ministry partnership cooperation bilateral agreement regional dialogue policy "
        "programme project training employment recruitment ethical fair costs fees information "
        "campaign awareness rights protection women children youth families health education "
        "housing access services counselling legal assistance registration documentation identity "
        "border management data statistics evidence evaluation monitoring impact results private "
        "sector business investment entrepreneurship financial inclusion savings banks transfer "
        "digital platform online network civil society organisations trade unions employers "
        "academia research climate change environment disaster displacement resilience adaptation "
        "seasonal circular temporary permanent residence permits visas pathways regular safe "
        "orderly responsible human trafficking smuggling exploitation victims support shelter "
        "social cohesion inclusion discrimination xenophobia language courses orientation "
        "pre-departure post-arrival consular services embassies networks knowledge exchange "
        "capacity building technical assistance coordination national strategy action plan "
        "coherence mainstreaming budget funding donors sustainable goals targets compact"
    ),
    "fr": (
        "migration migrants travailleurs mobilité main-d'œuvre compétences reconnaissance diaspora "
        "transferts fonds développement intégration réintégration retour communauté collectivités "
        "locales villes gouvernement ministère partenariat coopération accord bilatéral dialogue "
        "régional politique programme projet formation emploi recrutement éthique équitable coûts "
        "frais information campagne sensibilisation droits protection femmes enfants jeunes familles "
        "santé éducation logement accès services conseil assistance juridique enregistrement état "
        "civil identité frontières gestion données statistiques évaluation suivi impact résultats "
        "secteur privé entreprises investissement entrepreneuriat inclusion financière épargne "
        "banques numérique plateforme réseau société civile organisations syndicats employeurs "
        "recherche climat changement environnement catastrophes déplacement résilience adaptation "
        "saisonnière circulaire temporaire permanente résidence titres visas voies régulière sûre "
        "ordonnée responsable traite êtres humains trafic exploitation victimes soutien hébergement "
        "cohésion sociale discrimination xénophobie cours langue orientation départ arrivée "
        "consulaires ambassades échange connaissances renforcement capacités coordination nationale "
        "stratégie plan action cohérence budget financement bailleurs durable objectifs cibles pacte"
    ),
    "es": (
        "migración migrantes trabajadores movilidad laboral competencias reconocimiento diáspora "
        "remesas desarrollo integración reintegración retorno retornados comunidad autoridades locales "
        "ciudades gobierno ministerio asociación cooperación acuerdo bilateral diálogo regional "
        "política programa proyecto formación empleo contratación ética justa costos información "
        "campaña sensibilización derechos protección mujeres niños jóvenes familias salud educación "
        "vivienda acceso servicios orientación asistencia jurídica registro documentación identidad "
        "fronteras gestión datos estadísticas evidencia evaluación seguimiento impacto resultados "
        "sector privado empresas inversión emprendimiento inclusión financiera ahorro bancos "
        "transferencia digital plataforma red sociedad civil organizaciones sindicatos empleadores "
        "investigación clima cambio medio ambiente desastres desplazamiento resiliencia adaptación "
        "temporal circular permanente residencia permisos visados vías regular segura ordenada "
        "responsable trata personas tráfico explotación víctimas apoyo albergue cohesión social "
        "discriminación xenofobia cursos idioma salida llegada consulares embajadas intercambio "
        "conocimientos fortalecimiento capacidades coordinación nacional estrategia plan acción "
        "coherencia presupuesto financiación donantes sostenible objetivos metas pacto"
    ),
}
GLUE = {
    "en": "the of and for in to with a on by through",
    "fr": "le la les de des du et pour dans avec un une sur par",
    "es": "el la los las de del y para en con un una sobre por",
}
# Words that appear in few practices: one of them in about one practice out of 150.
RARE = [
    "zanzibari",
    "quillwork",
    "oyster-farming",
    "beekeeping",
    "sericulture",
    "origami",
    "kite-making",
    "glassblowing",
    "marimba",
    "saffron",
    "lacquerware",
    "tapestry",
    "falconry",
    "shoemaking",
    "cheesemaking",
    "basketry",
    "watchmaking",
    "luthier",
    "taxidermy",
    "calligraphy",
]
COUNTRIES = [
    "MA",
    "SN",
    "ML",
    "NG",
    "GH",
    "KE",
    "ET",
    "ZA",
    "EG",
    "TN",
    "DZ",
    "MX",
    "GT",
    "SV",
    "HN",
    "CO",
    "EC",
    "PE",
    "BR",
    "AR",
    "US",
    "CA",
    "PH",
    "ID",
    "IN",
    "BD",
    "NP",
    "LK",
    "PK",
    "VN",
    "TH",
    "CN",
    "JO",
    "LB",
    "TR",
    "DE",
    "FR",
    "ES",
    "IT",
    "NL",
    "BE",
    "SE",
    "NO",
    "CH",
    "AT",
    "PT",
    "GR",
    "PL",
    "RO",
    "UA",
    "GB",
    "IE",
    "AU",
    "NZ",
    "FJ",
]
CONSTITUENCIES = ["government", "civil_society", "private_sector", "international_organisation", "academia"]
OTHER_STATUSES = ["draft", "submitted", "in_review", "changes_requested", "rejected", "withdrawn"]


class Writer:
    """Texts from the word lists."""

    def __init__(self, seed):
        self.random = random.Random(seed)
        self.words = {language: text.split() for language, text in WORDS.items()}
        self.glue = {language: text.split() for language, text in GLUE.items()}

    def sentence(self, language, length):
        words = []
        for _ in range(length):
            pool = self.glue[language] if self.random.random() < 0.3 else self.words[language]
            words.append(self.random.choice(pool))
        return " ".join(words).capitalize() + "."

    def paragraph(self, language, sentences, rare=False):
        text = " ".join(self.sentence(language, self.random.randint(8, 18)) for _ in range(sentences))
        if rare:
            text += f" {self.random.choice(RARE).capitalize()}."
        return text

    def practice_texts(self, language):
        title = self.sentence(language, self.random.randint(4, 9)).rstrip(".")
        return {
            "title": title,
            "summary": self.paragraph(language, 2),
            "description": self.paragraph(language, self.random.randint(5, 10), rare=self.random.random() < 1 / 150),
            "results": self.paragraph(language, 3),
            "implementing_organisations": self.sentence(language, 5),
        }


# --- Data ------------------------------------------------------------------------------------------


def generate(published, others, seed):
    """Replace every practice with ``published`` + ``others`` generated ones."""
    from django.db import connection, transaction
    from django.utils import timezone

    from practices.models import Practice
    from practices.services import update_search_vector
    from roundtables.models import Forum
    from roundtables.programme.services import load_forum
    from sdg_targets.models import CompactTheme, Target
    from stakeholders.models import Constituency, Organisation

    started = time.perf_counter()
    if not Forum.objects.exists():
        load_forum()
    forum = Forum.objects.current()
    targets = list(Target.objects.values_list("id", flat=True))
    themes = list(CompactTheme.objects.values_list("id", flat=True))
    round_tables = list(forum.round_tables.values_list("id", flat=True))
    writer = Writer(seed)
    rng = writer.random
    with transaction.atomic():
        Practice.objects.all().delete()
        governments = [
            Organisation.objects.get_or_create(
                name=f"Bench government {code}", country=code, defaults={"constituency": Constituency.GOVERNMENT}
            )[0]
            for code in COUNTRIES
        ]
        now = timezone.now()
        practices = []
        for number in range(published + others):
            language = rng.choices(["en", "fr", "es"], weights=[5, 3, 2])[0]
            status = "published" if number < published else rng.choice(OTHER_STATUSES)
            start = datetime.date(rng.randint(2000, 2018), rng.randint(1, 12), 1)
            practices.append(
                Practice(
                    organisation=rng.choice(governments),
                    status=status,
                    language=language,
                    countries=rng.sample(COUNTRIES, rng.choice([1, 1, 1, 2, 3])),
                    constituencies=rng.sample(CONSTITUENCIES, rng.randint(1, 3)),
                    start_date=start,
                    ongoing=rng.random() < 0.3,
                    gender_responsive=rng.random() < 0.4,
                    published_at=now - datetime.timedelta(minutes=number) if status == "published" else None,
                    **writer.practice_texts(language),
                )
            )
        created = Practice.objects.bulk_create(practices, batch_size=2000)
        ids = [practice.pk for practice in created]
        links = (
            (Practice.sdg_targets.through, "target_id", targets, (1, 3)),
            (Practice.compact_themes.through, "compacttheme_id", themes, (0, 2)),
            (Practice.round_tables.through, "roundtable_id", round_tables, (0, 1)),
        )
        for through, column, choices, (low, high) in links:
            rows = [
                through(practice_id=pk, **{column: choice})
                for pk in ids
                for choice in rng.sample(choices, rng.randint(low, high))
            ]
            through.objects.bulk_create(rows, batch_size=5000)
        for batch in range(0, len(ids), 2000):
            update_search_vector(ids[batch : batch + 2000])
    with connection.cursor() as cursor:
        for table in ("practices_practice", "practices_practice_sdg_targets", "practices_practice_compact_themes"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"generated {published} published + {others} other practices in {time.perf_counter() - started:.1f} s")


def corpus_words():
    """(most frequent word, its practices) and (a rare word, its practices), from the database's texts."""
    from django.db import connection

    counts = {}
    with connection.cursor() as cursor:
        # The words of the 'simple' configuration are the unstemmed words: count them in published practices.
        cursor.execute(
            "SELECT word, ndoc FROM ts_stat($$SELECT to_tsvector('simple', gfmd_unaccent(title || ' ' || summary "
            "|| ' ' || description || ' ' || results || ' ' || implementing_organisations)) FROM practices_practice "
            "WHERE status = 'published'$$) ORDER BY ndoc DESC"
        )
        for word, ndoc in cursor.fetchall():
            counts[word] = ndoc
    glue = {word for text in GLUE.values() for word in text.split()}
    frequent = next(word for word in counts if word not in glue and len(word) > 3)
    most_frequent = next(iter(counts))
    rare = min((word for word in RARE if word in counts), key=lambda word: counts[word])
    return counts, most_frequent, frequent, rare


# --- Measures --------------------------------------------------------------------------------------


def percentile(values, percent):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(percent / 100 * len(ordered)) - 1))
    return ordered[index]


def time_runs(function, runs, warmup=3):
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return percentile(samples, 50), percentile(samples, 95)


def count_queries(connection, function):
    """How many SQL statements ``function`` sends (every execute, whatever DEBUG says)."""
    count = 0

    def counter(execute, sql, params, many, context):
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        function()
    return count


def rss_now_mb():
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1_048_576


def rss_peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--published", type=int, default=20_000)
    parser.add_argument("--others", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=40, help="timed runs per case (default 40)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true", help="generate the data even if the counts match")
    return parser.parse_args(argv)


def configure(database_url):
    """This process's settings (DEBUG=0, page cache off, Redis for the cache of searches when it
    answers) and the database, created if missing."""
    parsed = urlparse(database_url)
    if parsed.scheme not in ("postgres", "postgresql", "pgsql"):
        sys.exit(f"DATABASE_URL must be PostgreSQL, not {database_url}")
    if (parsed.hostname or "127.0.0.1") not in LOOPBACK:
        sys.exit("DATABASE_URL must point at the loopback interface")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "gfmd_portal.settings",
            "DATABASE_URL": database_url,
            "DEBUG": "0",
            "HTTPS": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECRET_KEY": secrets.token_hex(25),
            "PAGE_CACHE_SECONDS": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    # The cache of searches (warm figures) lives where it does in production: Redis, when it answers.
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    if (urlparse(redis_url).hostname or "127.0.0.1") in LOOPBACK and pages._answers(redis_url, 6379):
        os.environ["REDIS_URL"] = redis_url
    else:
        os.environ.pop("REDIS_URL", None)
    sys.path.insert(0, str(BASE_DIR))
    if pages._ensure_database(database_url):
        print(f"created database {parsed.path.lstrip('/')}")


def prepare_data(args, database_url):
    """Set Django up, migrate, generate the practices unless the counts match; returns the corpus's
    word counts, its most frequent word, most frequent content word and a rare word."""
    import django

    django.setup()
    from django.core.management import call_command

    from practices.models import Practice

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # the page links hashed static names
    published = Practice.objects.filter(status="published").count()
    others = Practice.objects.exclude(status="published").count()
    if args.rebuild or (published, others) != (args.published, args.others):
        generate(args.published, args.others, args.seed)
    else:
        print(f"reusing {published} published + {others} other practices (--rebuild to generate them again)")
    counts, most_frequent, frequent, rare = corpus_words()
    # As the server does once the application is loaded (gfmd_portal/wsgi.py): the loaded objects out
    # of the garbage collector's reach, so that its full collections do not walk them mid-request.
    import gc

    gc.collect()
    gc.freeze()
    print(
        f"database {database_url}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; "
        f"PostgreSQL and this process share them"
    )
    print(
        f"corpus: most frequent word {most_frequent!r} ({counts[most_frequent]} published practices), "
        f"most frequent content word {frequent!r} ({counts[frequent]}), rare word {rare!r} ({counts[rare]})"
    )
    return most_frequent, frequent, rare


def search_cases(most_frequent, frequent, rare):
    """(label, the search's query and filters) of each case measured."""
    return [
        ("query + 2 filters", {"q": "reintegration", "region": ["africa"], "sdg_target": ["10.7"]}),
        (f"most frequent word ({most_frequent})", {"q": most_frequent}),
        (
            "most frequent word + 2 filters",
            {"q": most_frequent, "region": ["africa"], "sdg_target": ["10.7"]},
        ),
        *([(f"most frequent content word ({frequent})", {"q": frequent})] if frequent != most_frequent else []),
        (f"rare word ({rare})", {"q": rare}),
        ("no query", {}),
        ("no query + 2 filters", {"country": ["MA"], "constituency": ["civil_society"]}),
    ]


def measure_cases(args, cases, client):
    """Each case's search alone and its list page, cold then warm; one row per case."""
    from django.contrib.auth.models import AnonymousUser
    from django.db import connection
    from django.test import override_settings

    from practices import search

    user = AnonymousUser()
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        jit = cursor.fetchone()[0]
    cache_backend = "Redis" if os.environ.get("REDIS_URL") else "files"
    print(f"PostgreSQL jit={jit}; cache of searches for the warm figures: {cache_backend}")
    # A new content version: the cached fragments of an earlier run's warm figures (kept 600 s, under
    # the same keys) must not serve this run's cold pages.
    from common import pagecache

    pagecache.invalidate()
    rows = []
    for label, spec in cases:
        filters = {name: tuple(values) for name, values in spec.items() if name != "q"}
        q = spec.get("q", "")

        def run_search(q=q, filters=filters):
            return search.search(user=user, q=q, filters=filters, sort="", page=1)

        url = "/en/practices/?" + urlencode({"q": q, **filters} if q else filters, doseq=True)

        def run_page(url=url):
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response

        # Cold: every request counts the facets (the cache of searches is off, as PAGE_CACHE_SECONDS=0).
        result = run_search()
        search_p50, search_p95 = time_runs(run_search, args.runs)
        page_p50, page_p95 = time_runs(run_page, args.runs)
        queries = count_queries(connection, run_page)
        # Warm: the same page again, a signed-in visitor's case (anonymous ones get the page cache).
        with override_settings(SEARCH_CACHE_SECONDS=600):
            _warm_p50, warm_p95 = time_runs(run_page, args.runs)
            warm_queries = count_queries(connection, run_page)
        rows.append((label, result.total, search_p50, search_p95, page_p50, page_p95, queries, warm_p95, warm_queries))
        print(f"  {label}: {result.total} results, page p95 {page_p95:.1f} ms, warm {warm_p95:.1f} ms", flush=True)
    return rows


def print_cases(rows):
    """The cases' table and the verdict on the worst cold page p95; returns that p95."""
    header = ("case", "results", "search p50", "search p95", "page p50", "page p95", "queries", "warm p95", "queries")
    table = [header] + [
        (row[0], str(row[1]), *(f"{value:.1f}" for value in row[2:6]), str(row[6]), f"{row[7]:.1f}", str(row[8]))
        for row in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(header))]
    print()
    print(
        "milliseconds, in-process: search = practices.search.search(); page = GET /en/practices/?… through the "
        "test client (middleware, view, template), page cache off; warm = the same page with the cache of searches"
    )
    for index, row in enumerate(table):
        print(
            "  ".join(
                cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if index == 0:
            print("  ".join("-" * w for w in widths))
    worst = max(row[5] for row in rows)
    verdict = "met" if worst <= TARGET_P95_MS else "NOT met"
    print(f"worst cold page p95: {worst:.1f} ms (target ≤ {TARGET_P95_MS} ms): {verdict}")
    return worst


def measure_facet_index():
    """The facet index: what the first search after a change costs, and its size."""
    from practices.search import facet_index

    builds = []
    for _ in range(5):
        started = time.perf_counter()
        index = facet_index.build("bench")
        builds.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    index.title_rank()
    title_ms = (time.perf_counter() - started) * 1000
    arrays = [index.ids, index.sorted_ids, index.sorted_positions, index.published, index.organisation]
    arrays += [positions for table in index.values.values() for positions in table.values()]
    print(
        f"facet index of {index.size} practices: built in {sorted(builds)[2]:.0f} ms (median of 5; once per "
        f"process after each change), title order {title_ms:.0f} ms (the first title sort), "
        f"{sum(array.nbytes for array in arrays) / 1_048_576:.1f} MB of arrays"
    )


def measure_export(client):
    """The CSV export of every published practice: its time and the memory it takes."""

    def export():
        response = client.get("/en/practices/export.csv")
        assert response.streaming
        size = lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
        response.close()
        return size, lines

    print()
    rss_before, peak_before = rss_now_mb(), rss_peak_mb()
    started = time.perf_counter()
    size, lines = export()
    seconds = time.perf_counter() - started
    rss_after, peak_after = rss_now_mb(), rss_peak_mb()
    print(f"CSV export of all published practices: {size / 1_048_576:.1f} MB, {lines} lines, {seconds:.1f} s")
    print(
        f"  resident memory: {rss_before:.0f} MB before, {rss_after:.0f} MB after; "
        f"peak (getrusage) {peak_before:.0f} MB before, {peak_after:.0f} MB after "
        f"(+{peak_after - peak_before:.0f} MB for a {size / 1_048_576:.0f} MB file)"
    )
    tracemalloc.start()
    export()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  Python allocations during a second export (tracemalloc): peak {peak / 1_048_576:.1f} MB")


def main(argv=None):
    args = parse_args(argv)
    database_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    configure(database_url)
    cases = search_cases(*prepare_data(args, database_url))
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    worst = print_cases(measure_cases(args, cases, client))
    measure_facet_index()
    measure_export(client)
    return 0 if worst <= TARGET_P95_MS else 1


if __name__ == "__main__":
    sys.exit(main())
