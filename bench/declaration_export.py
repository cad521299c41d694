"""Time the Word, PDF and HTML exports of a large declaration draft.

    .venv/bin/python bench/declaration_export.py                    # a hand-built draft of 5,000 paragraphs
    .venv/bin/python bench/declaration_export.py --paragraphs 8000  # larger
    .venv/bin/python bench/declaration_export.py --latest           # the latest draft already in the database
                                                                    # (e.g. the compile benchmark's, see below)
    .venv/bin/python bench/declaration_export.py --runs 5           # more runs per format

Needs PostgreSQL on the loopback interface: DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/gfmd_declaration_export_bench (created and migrated if missing).
With ``--latest`` and DATABASE_URL pointing at the compile benchmark's database
(``bench/declaration_compile.py``: 50,000 contributions compiled), the real compiled draft is exported.

Otherwise the 2017 forum is loaded and a draft is built by hand the way the compile shapes one: a
title, sub-themes, round tables and their parts as headings (levels 1–4) and ``--paragraphs``
numbered paragraphs of 40–90 words (kept between runs while the count matches). Each export runs
``--runs`` times in this process (``declarations.exports``: to_docx, to_pdf, to_html), after one
warm-up of the HTML; the table gives the best and median seconds, the size of the file, and the
process's peak resident memory after each format. The last line sums it up:
``paragraphs=N docx_s=… pdf_s=… html_s=… peak_rss_mb=…``.
"""

import argparse
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pages  # bench/pages.py: creating the database

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/gfmd_declaration_export_bench"
BENCH_NOTE = "bench/declaration_export.py"
DOCX_TARGET_S = 10

WORDS = [
    "migration",
    "migrants",
    "workers",
    "labour",
    "mobility",
    "skills",
    "recognition",
    "diaspora",
    "remittances",
    "development",
    "integration",
    "reintegration",
    "return",
    "community",
    "local",
    "authorities",
    "cities",
    "government",
    "partnership",
    "cooperation",
    "bilateral",
    "agreement",
    "regional",
    "dialogue",
    "policy",
    "programme",
    "training",
    "employment",
    "recruitment",
    "ethical",
    "fair",
    "costs",
    "information",
    "rights",
    "protection",
    "women",
    "children",
    "youth",
    "families",
    "health",
    "education",
    "housing",
    "access",
    "services",
    "legal",
    "assistance",
    "registration",
    "identity",
    "data",
    "evidence",
    "evaluation",
    "private",
    "sector",
    "business",
    "investment",
    "financial",
    "inclusion",
    "digital",
    "platform",
    "civil",
    "society",
    "trade",
    "unions",
    "employers",
    "academia",
    "climate",
    "displacement",
    "resilience",
    "seasonal",
    "circular",
    "pathways",
    "regular",
    "safe",
    "orderly",
]


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup(database_url):
    pages._check_loopback("DATABASE_URL", database_url)
    created = pages._ensure_database(database_url)
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gfmd_portal.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("HTTPS", "0")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return created


def sentence(rng):
    words = [rng.choice(WORDS) for _ in range(rng.randint(40, 90))]
    return " ".join(words).capitalize() + "."


def build_draft(paragraphs, seed=1):
    """A draft shaped like a compiled one, with ``paragraphs`` numbered paragraphs (reused if present)."""
    from django.db import transaction

    from declarations.models import Declaration, Draft, Paragraph
    from roundtables.models import Forum
    from roundtables.programme.services import load_forum

    forum = Forum.objects.filter(slug="gfmd-2017").first() or load_forum()[0]
    declaration = Declaration.objects.get_or_create(forum=forum, language="en")[0]
    existing = Draft.objects.filter(declaration=declaration, note=BENCH_NOTE).order_by("-version").first()
    if existing and existing.paragraphs.filter(kind="paragraph").count() == paragraphs:
        return existing
    rng = random.Random(seed)
    round_tables = list(forum.round_tables.select_related("sub_theme").order_by("position"))
    per_part = max(1, paragraphs // (len(round_tables) * 3))
    with transaction.atomic():
        version = (
            Draft.objects.filter(declaration=declaration).order_by("-version").values_list("version", flat=True).first()
            or 0
        ) + 1
        draft = Draft.objects.create(declaration=declaration, version=version, inputs_hash="b" * 64, note=BENCH_NOTE)
        rows, number, position = [], 0, 0

        def add(kind, level, text, section=""):
            nonlocal number, position
            position += 1
            label = ""
            if kind == "paragraph":
                number += 1
                label = str(number)
            rows.append(
                Paragraph(
                    draft=draft, position=position, kind=kind, level=level, section=section, number=label, text=text
                )
            )

        add("heading", 1, f"{forum.title}: co-chairs' declaration", "preamble")
        sub_theme = None
        while number < paragraphs:
            for round_table in round_tables:
                if round_table.sub_theme_id != sub_theme:
                    sub_theme = round_table.sub_theme_id
                    add("heading", 2, str(round_table.sub_theme or "Sub-theme"), f"subtheme:{sub_theme}")
                add("heading", 3, f"{round_table.code} {round_table.title}", f"rt:{round_table.code}")
                for part in ("messages", "recommendations", "frameworks"):
                    add("heading", 4, part.capitalize(), f"rt:{round_table.code}:{part}")
                    for _ in range(per_part):
                        if number < paragraphs:
                            add("paragraph", 4, sentence(rng), f"rt:{round_table.code}:{part}")
        Paragraph.objects.bulk_create(rows, batch_size=2000)
        from declarations.rendering import render_html

        draft.html = render_html(draft)
        draft.save(update_fields=["html"])
    return draft


def measure(function, draft, runs):
    times, size = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        content = function(draft)
        times.append(time.perf_counter() - started)
        size = len(content if isinstance(content, bytes) else content.encode("utf-8"))
    return min(times), statistics.median(times), size, peak_rss_mb()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--paragraphs", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latest", action="store_true", help="export the latest draft in the database instead")
    parser.add_argument("--pdf-runs", type=int, default=1, help="PDF takes long: 1 run by default")
    parser.add_argument("--skip-pdf", action="store_true")
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    setup(database_url)

    from declarations import exports
    from declarations.models import Draft

    if args.latest:
        draft = Draft.objects.select_related("declaration__forum").order_by("-created", "-id").first()
        if draft is None:
            raise SystemExit("no draft in this database")
    else:
        draft = build_draft(args.paragraphs)
    draft = Draft.objects.select_related("declaration__forum").get(pk=draft.pk)
    counts = {kind: draft.paragraphs.filter(kind=kind).count() for kind in ("heading", "paragraph")}
    print(
        f"draft {draft.pk} v{draft.version} ({draft.declaration.language}): {counts['paragraph']:,} paragraphs, "
        f"{counts['heading']:,} headings; {args.runs} runs per format; peak RSS before {peak_rss_mb():.0f} MB"
    )
    exports.to_html(draft)  # warm-up: imports, translations
    results = {}
    formats = [("docx", exports.to_docx), ("html", exports.to_html)]
    if not args.skip_pdf:
        formats.append(("pdf", exports.to_pdf))
    print(f"{'format':<6} {'best s':>8} {'median s':>9} {'size KB':>9} {'peak RSS MB':>12}")
    for name, function in formats:
        best, median, size, rss = measure(function, draft, args.pdf_runs if name == "pdf" else args.runs)
        results[name] = median
        print(f"{name:<6} {best:>8.2f} {median:>9.2f} {size / 1024:>9.0f} {rss:>12.0f}")
    verdict = "met" if results["docx"] < DOCX_TARGET_S else "NOT met"
    print(f"Word export target (< {DOCX_TARGET_S} s): {verdict}")
    print(
        f"paragraphs={counts['paragraph']} docx_s={results['docx']:.2f} pdf_s={results.get('pdf', float('nan')):.2f} "
        f"html_s={results['html']:.2f} peak_rss_mb={peak_rss_mb():.0f}"
    )


if __name__ == "__main__":
    main()
