"""``manage.py compile_declaration --forum SLUG --language fr|en|es [--force] [--async]``.

By default the compile runs here, in this process, step by step as the workers would (the same
code: start, each round table, assembly), and prints the draft's version. ``--async`` sends it to
the Celery workers instead and follows its progress until it ends. ``--force`` makes a new version
even if nothing changed since the latest draft. Exit status 1 when the compile failed.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from declarations import compile as compiler
from declarations.models import CompileJob
from roundtables.models import Forum


class Command(BaseCommand):
    help = "Compile a new draft of a forum's presidential declaration in a language."

    def add_arguments(self, parser):
        parser.add_argument("--forum", required=True, help="Slug of the forum, e.g. gfmd-2017.")
        parser.add_argument(
            "--language", required=True, choices=[code for code, _name in settings.LANGUAGES], help="fr, en or es."
        )
        parser.add_argument("--force", action="store_true", help="Make a new version even if nothing changed.")
        parser.add_argument(
            "--async",
            dest="run_async",
            action="store_true",
            help="Send the compile to the Celery workers and follow its progress (default: run it here).",
        )
        parser.add_argument(
            "--timeout", type=int, default=3600, help="With --async: seconds to follow the job before giving up."
        )

    def handle(self, *args, forum, language, force, run_async, timeout, **options):
        target = Forum.objects.filter(slug=forum).first()
        if target is None:
            raise CommandError(f"No forum with the slug {forum!r}.")
        running = CompileJob.objects.filter(
            declaration__forum=target, declaration__language=language, status__in=compiler.ACTIVE
        ).first()
        if running is not None and not run_async:
            raise CommandError(f"Compile job {running.pk} of this declaration is already running; wait for it.")
        # With --async and a job already running, request_compile returns it: we follow that one.
        job = compiler.request_compile(forum=target, language=language, user=None, force=force, dispatch=run_async)
        if not run_async:
            started = time.monotonic()
            job = compiler.run_inline(job)
            elapsed = time.monotonic() - started
        else:
            job, elapsed = self._follow(job, timeout)
        self._report(job, elapsed)

    def _follow(self, job, timeout):
        started = time.monotonic()
        last = None
        with translation.override(settings.LANGUAGE_CODE):
            while True:
                state = compiler.job_progress(job)
                line = f"{state['percent']:3d}%  {state['stage']}"
                if line != last:
                    self.stdout.write(line)
                    last = line
                if state["finished"]:
                    return job, time.monotonic() - started
                if time.monotonic() - started > timeout:
                    raise CommandError(f"Compile job {job.pk} still {job.status} after {timeout} s.")
                time.sleep(0.5)

    def _report(self, job, elapsed):
        if job.status == CompileJob.Status.FAILED:
            raise CommandError(f"Compile job {job.pk} failed: {job.error}")
        draft = job.draft
        if job.status == CompileJob.Status.UNCHANGED:
            self.stdout.write(
                f"unchanged: nothing changed since version {draft.version} (hash {draft.inputs_hash[:12]}); "
                "no new version (use --force to make one)"
            )
            return
        self.stdout.write(
            f"version {draft.version} of {draft.declaration} compiled in {elapsed:.1f} s: "
            f"{draft.paragraphs.count()} paragraphs, {job.total} contributions, hash {draft.inputs_hash[:12]}"
        )
