"""The sign-in backends: Django's and allauth's, loading the signed-in user ``with_person``.

Every signed-in request loads its user once (``request.user``); most then ask for the person's
profile, whether their email is verified and whether they are staff (stakeholders.permissions).
Read in the same query, these cost no round trip of their own: one query per request instead of
up to four.
"""

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend

from stakeholders.permissions import with_person


class _LoadsPerson:
    def get_user(self, user_id):
        user = with_person(get_user_model()._default_manager.filter(pk=user_id)).first()
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_LoadsPerson, DjangoModelBackend):
    pass


class AuthenticationBackend(_LoadsPerson, AllauthBackend):
    pass
