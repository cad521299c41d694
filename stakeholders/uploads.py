"""Uploaded documents: checked by their content, stored under random names, served as attachments."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext_lazy as _

from common.http import no_store

# What a file's first bytes say it is. DOCX is a ZIP container; it is told apart by its content types part.
SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpeg": (b"\xff\xd8\xff",),
    "docx": (b"PK\x03\x04",),
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
EXTENSIONS = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg", "docx": ".docx"}


def _is_docx(uploaded):
    import zipfile

    try:
        uploaded.seek(0)
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return False
    finally:
        uploaded.seek(0)
    return "[Content_Types].xml" in names and "word/document.xml" in names


def detect_kind(uploaded):
    """'pdf', 'png', 'jpeg', 'docx' or None, from the file's content (never its name)."""
    uploaded.seek(0)
    head = uploaded.read(16)
    uploaded.seek(0)
    for kind, signatures in SIGNATURES.items():
        if head.startswith(signatures):
            if kind == "docx":
                return "docx" if _is_docx(uploaded) else None
            return kind
    return None


def validate_document(uploaded, *, kinds=("pdf", "png", "jpeg")):
    """Refuse a file over the size limit or whose content is not one of ``kinds``."""
    limit = settings.MAX_UPLOAD_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            _("The file is %(size)s MB; files of at most %(limit)s MB are accepted."),
            code="too_large",
            params={"size": round(uploaded.size / 1_048_576, 1), "limit": limit // 1_048_576},
        )
    kind = detect_kind(uploaded)
    if kind not in kinds:
        names = ", ".join(k.upper() for k in kinds)
        raise ValidationError(
            _("This file is not a %(kinds)s document (its content was checked, not its name)."),
            code="bad_type",
            params={"kinds": names},
        )
    return kind


def attachment_response(field_file, *, download_stem):
    """Serve a private file for download: never inline, never under the uploader's name."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    kind = detect_kind(handle) or "bin"
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{download_stem}{EXTENSIONS.get(kind, '.bin')}",
        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return no_store(response)
