"""Emails to people, rendered in the recipient's language."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def language_of(user):
    profile = getattr(user, "profile", None) if user is not None else None
    language = getattr(profile, "preferred_language", None)
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def send(*, to, language, template, context):
    """Render ``stakeholders/email/<template>_subject.txt`` and ``_body.txt`` in ``language`` and send."""
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_body.txt", context)
    send_mail(f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}", body, settings.DEFAULT_FROM_EMAIL, [to])
