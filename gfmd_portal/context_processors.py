from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, get_language_info


@lru_cache(maxsize=4096)
def _translated(path, code, active):
    # Resolving the path and reversing it in each language was a tenth of a small page's time; the
    # answer depends only on the path, the languages and the URLconf (``active`` is in the key
    # because the path is resolved in the language of the request).
    return translate_url(path, code)


def site(request):
    """The language switcher: the same page in each interface language."""
    # One leading slash: a request for "//evil.example/" must not link to //evil.example/.
    path = "/" + request.get_full_path().lstrip("/")
    languages = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        url = _translated(path, code, get_language())
        languages.append(
            {
                "code": code,
                "name_local": info["name_local"],
                "url": url,
                # hreflang alternates must be absolute addresses: the site's own (SITE_URL), never the
                # request's Host header.
                "absolute_url": settings.SITE_URL + url,
            }
        )
    return {"language_links": languages}


def after_second_factor(request):
    """On the recovery codes page, the staff page the person was going to before setting up their
    second factor (stakeholders.middleware), to continue there once the codes are saved."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name != "mfa_view_recovery_codes" or not request.user.is_authenticated:
        return {}
    from stakeholders.middleware import AFTER_SECOND_FACTOR

    path = request.session.get(AFTER_SECOND_FACTOR) or ""
    # Only a path of this site (the middleware stores one; never follow anything else).
    if not path.startswith("/") or path.startswith("//"):
        return {}
    return {"after_second_factor": path}


# allauth's pages that set up a second factor, and those that ask for the password (or code) again.
SECOND_FACTOR_SETUP = {"mfa_activate_totp", "mfa_add_webauthn"}
REAUTHENTICATION = {"account_reauthenticate", "mfa_reauthenticate"}


def why_this_page(request):
    """Why an account page appeared when nobody asked for it: the second-factor set-up (staff pages
    require one: ``second_factor_required``) and the password asked again (``reauthenticating``;
    ``reauthenticating_for_second_factor`` when it is on the way to setting one up)."""
    match = getattr(request, "resolver_match", None)
    if match is None or not request.user.is_authenticated:
        return {}
    if match.url_name in SECOND_FACTOR_SETUP:
        from stakeholders.permissions import needs_second_factor

        return {"second_factor_required": needs_second_factor(request.user)}
    if match.url_name in REAUTHENTICATION:
        from django.urls import Resolver404, resolve

        next_path = urlsplit(request.GET.get("next") or "").path
        try:
            next_name = resolve(next_path).url_name if next_path.startswith("/") else None
        except Resolver404:
            next_name = None
        return {"reauthenticating": True, "reauthenticating_for_second_factor": next_name in SECOND_FACTOR_SETUP}
    return {}
