"""The public database of good practices: search, a practice's page, its files, exports.

Everything starts from ``visible_practices(user)``: published practices for everyone, every status
for co-chair staff (with their second factor) and for the delegates of the submitting government.
A practice someone may not see is a 404 on every surface. Exports hold published practices only,
unless co-chair staff ask for other statuses with ``?status=``.
"""

import hashlib
import json

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from common import pagecache
from common.csvexport import csv_response
from common.http import no_store
from common.pagecache import reads_params
from practices import search
from practices.models import Attachment, Practice
from practices.search import printed
from practices.search.facets import cache_seconds as facets_cache_seconds
from practices.services import visibility, visible_practices
from roundtables.models import RoundTable
from sdg_targets.models import CompactTheme, Target
from stakeholders.models import Constituency
from stakeholders.permissions import acts_as_staff, can, is_delegate_of
from stakeholders.regions import REGIONS, regions_of
from stakeholders.uploads import attachment_response

Status = Practice.Status
RELATED_COUNT = 5
RELATED_CANDIDATES = 500
EXPORT_CHUNK = 500
HISTORY_TEMPLATE = "practices/_history.html"


# --- Search ---------------------------------------------------------------------------------


@reads_params("q", "sort", "page", *search.FILTERS)
@require_safe
def practice_list(request):
    params, ignored = search.parse_params(request.GET)
    result = search.search(
        user=request.user, q=params.q, filters=params.filters, sort=params.sort, page=params.page, lazy=True
    )
    query = result.params.urlencode(page=None)
    facets_key = _facets_key(request.user, query)
    context = {
        # The filters' column (hundreds of values with their counts) is a cached fragment: the same
        # for everyone who sees the same practices and asks the same, until any content changes.
        "facets_key": facets_key,
        # So is the list of the page's practices (read from the database only when it is rendered).
        "results_key": f"{facets_key}:{result.pagination.number}",
        "facets_seconds": facets_cache_seconds(),
        "result": result,
        # Printed only where the fragments above are not found in the cache (called by the template).
        "facets_html": lambda: printed.facets_html(result.facets),
        "results_html": lambda: printed.results_html(result.results),
        "params": result.params,
        "ignored": sorted(ignored),
        "sorts": search.SORTS,
        # The search without its page: for the pages' links and the exports.
        "query": query,
        "can_export_all": can(request.user, "practices.export_all_statuses"),
        "statuses": Status.choices,
    }
    return render(request, "practices/list.html", context)


def _facets_key(user, query):
    described = repr((visibility(user), query))
    return f"{pagecache.content_version()}:{hashlib.sha256(described.encode()).hexdigest()}"


# --- A practice -------------------------------------------------------------------------------


def _template_exists(name):
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return False
    return True


def related_practices(practice, user):
    """Up to RELATED_COUNT published practices sharing SDG targets or Global Compact themes with
    ``practice``: among the RELATED_CANDIDATES most recent that share any, those sharing the most
    first, then the most recent."""
    target_ids = [target.pk for target in practice.sdg_targets.all()]
    theme_ids = [theme.pk for theme in practice.compact_themes.all()]
    if not target_ids and not theme_ids:
        return []
    targets = Practice.sdg_targets.through.objects.filter(practice_id=OuterRef("pk"), target_id__in=target_ids)
    themes = Practice.compact_themes.through.objects.filter(practice_id=OuterRef("pk"), compacttheme_id__in=theme_ids)

    def shared(links):
        return Coalesce(Subquery(links.order_by().values("practice_id").annotate(n=Count("*")).values("n")[:1]), 0)

    # Among the most recent practices that share something (found newest first through the index
    # on published_at): counting what each of thousands shares would cost tens of milliseconds.
    candidates = (
        visible_practices(user)
        .filter(status=Status.PUBLISHED)
        .exclude(pk=practice.pk)
        .filter(Q(Exists(targets)) | Q(Exists(themes)))
        .order_by(*search.NEWEST)
        .values("pk")[:RELATED_CANDIDATES]
    )
    return list(
        Practice.objects.filter(pk__in=candidates)
        .annotate(shared=shared(targets) + shared(themes))
        .order_by("-shared", *search.NEWEST)
        .only("id", "title", "countries", "published_at")[:RELATED_COUNT]
    )


@require_safe
def practice_detail(request, pk):
    practice = get_object_or_404(
        visible_practices(request.user)
        .select_related("organisation")
        .prefetch_related(
            Prefetch("sdg_targets", queryset=Target.objects.select_related("goal")),
            Prefetch("compact_themes", queryset=CompactTheme.objects.all()),
            Prefetch("round_tables", queryset=RoundTable.objects.select_related("forum")),
            "attachments",
        ),
        pk=pk,
    )
    manages = acts_as_staff(request.user) or is_delegate_of(request.user, practice.organisation_id)
    show_history = manages and _template_exists(HISTORY_TEMPLATE)
    context = {
        "practice": practice,
        "regions": [str(REGIONS[slug][0]) for slug in regions_of(practice.countries)],
        "constituency_labels": [
            str(Constituency(value).label) if value in Constituency.values else value
            for value in practice.constituencies or []
        ],
        "links": [line.strip() for line in practice.links.splitlines() if _is_web_link(line.strip())],
        "related": related_practices(practice, request.user),
        "manages": manages,
        "is_staff": acts_as_staff(request.user),
        "can_edit": can(request.user, "practices.edit", practice),
        "show_history": show_history,
        "history_template": HISTORY_TEMPLATE,
        "transitions": practice.transitions.select_related("actor") if show_history else (),
    }
    response = render(request, "practices/detail.html", context)
    if practice.status != Status.PUBLISHED:
        patch_cache_control(response, private=True, no_store=True)
    return response


def _is_web_link(text):
    return text.lower().startswith(("https://", "http://")) and " " not in text


@require_safe
def attachment_download(request, pk, attachment_pk):
    """A practice's file, for whoever may see the practice; a 404 otherwise (never a public URL)."""
    attachment = get_object_or_404(
        Attachment.objects.filter(practice__in=visible_practices(request.user)), pk=attachment_pk, practice_id=pk
    )
    return attachment_response(attachment.file, download_stem=f"practice-{pk}-attachment-{attachment.pk}")


# --- Exports ----------------------------------------------------------------------------------

EXPORT_FIELDS = [
    ("id", "id"),
    ("url", "url"),
    ("title", "title"),
    ("status", "status"),
    ("submitting_government", "submitting government"),
    ("countries", "implementing countries"),
    ("regions", "regions"),
    ("summary", "summary"),
    ("description", "description"),
    ("implementing_organisations", "implementing organisations"),
    ("partners", "partners"),
    ("constituencies", "constituencies"),
    ("start_date", "start"),
    ("end_date", "end"),
    ("ongoing", "ongoing"),
    ("sdg_targets", "SDG targets"),
    ("compact_themes", "Global Compact themes"),
    ("round_tables", "round tables"),
    ("gender_responsive", "gender-responsive"),
    ("gender_explanation", "how it is gender-responsive"),
    ("results", "results and impact"),
    ("evidence", "evidence or evaluation"),
    ("replicability", "replicability"),
    ("contact_name", "contact name"),
    ("links", "links"),
    ("language", "language"),
    ("published_at", "published"),
]


def export_record(practice, request):
    """A practice as exported (JSON); lists are lists, dates ISO 8601. No contact email: a bulk
    export is no place for personal addresses (the practice's page shows it)."""
    return {
        "id": practice.pk,
        "url": request.build_absolute_uri(practice.get_absolute_url()),
        "title": practice.title,
        "status": practice.status,
        "submitting_government": practice.organisation.name,
        "countries": [str(code) for code in practice.countries],
        "regions": regions_of(practice.countries),
        "summary": practice.summary,
        "description": practice.description,
        "implementing_organisations": practice.implementing_organisations,
        "partners": practice.partners,
        "constituencies": list(practice.constituencies or []),
        "start_date": practice.start_date,
        "end_date": practice.end_date,
        "ongoing": practice.ongoing,
        "sdg_targets": [target.code for target in practice.sdg_targets.all()],
        "compact_themes": [theme.code for theme in practice.compact_themes.all()],
        "round_tables": [f"{rt.forum.slug}/{rt.code}" for rt in practice.round_tables.all()],
        "gender_responsive": practice.gender_responsive,
        "gender_explanation": practice.gender_explanation,
        "results": practice.results,
        "evidence": practice.evidence,
        "replicability": practice.replicability,
        "contact_name": practice.contact_name,
        "links": [line.strip() for line in practice.links.splitlines() if line.strip()],
        "language": practice.language,
        "published_at": practice.published_at,
    }


def _csv_cell(value):
    if isinstance(value, list):
        return "; ".join(str(item) for item in value)
    return value


class BadExport(Exception):
    pass


def export_queryset(request):
    """The practices of the search in the query string, ready to stream, or BadExport / 403.

    Published practices only; co-chair staff may add ``status=all`` or ``status=<a status>``.
    """
    params, errors = search.parse_params(request.GET)
    errors.pop("page", None)
    if errors:
        raise BadExport(_("Malformed search parameters: %(names)s.") % {"names": ", ".join(sorted(errors))})
    status = request.GET.get("status", "").strip() or Status.PUBLISHED
    if status != "all" and status not in Status.values:
        raise BadExport(_("Unknown status."))
    if status != Status.PUBLISHED and not can(request.user, "practices.export_all_statuses"):
        raise PermissionDenied
    queryset = search.search_queryset(user=request.user, q=params.q, filters=params.filters, sort=params.sort)
    if status != "all":
        queryset = queryset.filter(status=status)
    return queryset.select_related("organisation").prefetch_related(
        Prefetch("sdg_targets", queryset=Target.objects.only("id", "code")),
        Prefetch("compact_themes", queryset=CompactTheme.objects.only("id", "code")),
        Prefetch("round_tables", queryset=RoundTable.objects.select_related("forum").only("id", "code", "forum__slug")),
    )


def _filename(extension):
    return f"gfmd-practices-{timezone.localdate().isoformat()}.{extension}"


@require_safe
def export_csv(request):
    try:
        queryset = export_queryset(request)
    except BadExport as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain; charset=utf-8")
    keys = [key for key, _label in EXPORT_FIELDS]
    rows = (
        [_csv_cell(record[key]) for key in keys]
        for record in (export_record(practice, request) for practice in queryset.iterator(chunk_size=EXPORT_CHUNK))
    )
    return csv_response(_filename("csv"), [label for _key, label in EXPORT_FIELDS], rows)


def _json_lines(queryset, request):
    yield '{"results": ['
    separator = "\n"
    for practice in queryset.iterator(chunk_size=EXPORT_CHUNK):
        yield separator + json.dumps(export_record(practice, request), cls=DjangoJSONEncoder, ensure_ascii=False)
        separator = ",\n"
    yield "\n]}\n"


@require_safe
def export_json(request):
    try:
        queryset = export_queryset(request)
    except BadExport as exc:
        return HttpResponseBadRequest(json.dumps({"detail": str(exc)}), content_type="application/json; charset=utf-8")
    response = StreamingHttpResponse(_json_lines(queryset, request), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("json")}"'
    return no_store(response)
