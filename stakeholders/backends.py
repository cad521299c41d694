"""The sign-in backends: Django's and allauth's, loading the signed-in user ``with_person``.

Every signed-in request loads its user once (``request.user``); most then ask for the person's
profile, whether their email is verified and whether they are staff (stakeholders.permissions).
Read in the same query, these cost no round trip of their own: one query per request instead of
up to four.
"""

from functools import cache

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from stakeholders.permissions import with_person


@cache
def _users_with_person():
    # Built once per process (never evaluated itself: each request filters a copy), so a signed-in
    # request does not resolve the joins and the two EXISTS annotations again.
    return with_person(get_user_model()._default_manager.all())


class _LoadsPerson:
    def get_user(self, user_id):
        # [:1] rather than first(): the primary key names one row, no ORDER BY needed.
        user = next(iter(_users_with_person().filter(pk=user_id)[:1]), None)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_LoadsPerson, DjangoModelBackend):
    pass


class AuthenticationBackend(_LoadsPerson, AllauthBackend):
    pass
