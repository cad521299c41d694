from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info


def site(request):
    """The language switcher: the same page in each interface language."""
    # One leading slash: a request for "//evil.example/" must not link to //evil.example/.
    path = "/" + request.get_full_path().lstrip("/")
    languages = []
    for code, _name in settings.LANGUAGES:
        info = get_language_info(code)
        languages.append({"code": code, "name_local": info["name_local"], "url": translate_url(path, code)})
    return {"language_links": languages}
