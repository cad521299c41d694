"""Emails to people, rendered in the recipient's language."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation


def language_of(user):
    profile = getattr(user, "profile", None) if user is not None else None
    language = getattr(profile, "preferred_language", None)
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def send(*, to, language, template, context, attachments=()):
    """Render ``<template>_subject.txt`` and ``<template>_body.txt`` in ``language`` and send.

    ``attachments``: (filename, content, mimetype) triples, e.g. a QR code as an SVG file.
    """
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
    message = EmailMessage(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body, settings.DEFAULT_FROM_EMAIL, [to])
    for filename, content, mimetype in attachments:
        message.attach(filename, content, mimetype)
    message.send()
