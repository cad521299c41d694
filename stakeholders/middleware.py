import re

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from stakeholders.permissions import needs_second_factor

# Staff pages: the portal's staff area in every language, the review of good practices, and the Django admin.
STAFF_PATH = re.compile(r"^/(?:[a-z]{2}/staff/|[a-z]{2}/practices/review/|admin/)")
ADMIN_PREFIX = "/admin/"
# The session key of the staff page a person was sent away from to set up a second factor.
AFTER_SECOND_FACTOR = "after_second_factor"


def is_staff_path(path):
    return bool(STAFF_PATH.match(path))


class StaffSecondFactorMiddleware:
    """Send co-chair staff and administrators without a second factor to set one up
    before any staff page (the portal's staff area or the Django admin)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and is_staff_path(request.path)
            and not request.path.startswith(ADMIN_PREFIX + "login")
            and user.is_authenticated
            and needs_second_factor(user)
        ):
            # allauth's activation ends on the recovery codes, whatever ``next`` says: the page
            # they asked for is kept, and the recovery codes page links it (AFTER_SECOND_FACTOR).
            request.session[AFTER_SECOND_FACTOR] = request.get_full_path()
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
