import time
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def collect(resolver=None, namespace=()):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from collect(entry, namespace + ((entry.namespace,) if entry.namespace else ()))
        elif entry.name:
            yield ":".join(namespace + (entry.name,))


def sign_in(client, user):
    client.force_login(user)
    session = client.session
    records = [{"method": "password", "at": time.time(), "email": user.email}]
    session["account_authentication_methods"] = records
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()


@pytest.fixture
def world(personas, settings, tmp_path):
    from allauth.mfa.models import Authenticator
    from stakeholders import audit, services
    from stakeholders.models import DelegateInvitation

    settings.MEDIA_ROOT = tmp_path
    owner = personas.participant()
    gov = personas.government()
    req = services.request_delegate_status(
        user=owner,
        organisation=gov,
        justification="x",
        note_verbale=SimpleUploadedFile("n.pdf", PDF, content_type="application/pdf"),
    )
    inv = DelegateInvitation.objects.create(email="invitee@example.org", organisation=gov, language="en")
    entry = audit.record(actor=None, action="test.x", obj=inv)
    key = Authenticator.objects.create(
        user=owner, type=Authenticator.Type.WEBAUTHN, data={"name": "Key", "credential": {}}
    )
    return dict(owner=owner, req=req, inv=inv, token=services.invitation_token(inv), entry=entry, key=key, gov=gov)


def test_probe(personas, world, forum, settings):
    from django.test import Client

    client = Client(raise_request_exception=False)
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.apps import apps

    roles = {
        "anonymous": None,
        "owner": world["owner"],
        "other": personas.participant("other@example.org"),
        "delegate": personas.delegate(),
        "staff": personas.staff(),
        "admin": personas.administrator(),
        "staff_no2fa": personas.staff("staff2@example.org", second_factor=False),
        "admin_no2fa": personas.administrator("admin2@example.org", second_factor=False),
    }
    w = world
    kwargs = {
        "stakeholders:delegate-request-detail": {"pk": w["req"].pk},
        "stakeholders:delegate-request-note": {"pk": w["req"].pk},
        "stakeholders:staff-delegate-decide": {"pk": w["req"].pk},
        "stakeholders:accept-invitation": {"token": w["token"]},
        "account_confirm_email": {"key": "nokey"},
        "account_reset_password_from_key": {"uidb36": "1", "key": "abc-def"},
        "mfa_remove_webauthn": {"pk": w["key"].pk},
        "mfa_edit_webauthn": {"pk": w["key"].pk},
        "sdg_targets:target-detail": {"code": "10.7"},
        "sdg_targets:theme-detail": {"code": "A.a"},
        "roundtables:programme": {"forum": "gfmd-2017"},
        "roundtables:detail": {"forum": "gfmd-2017", "code": "1.1"},
        "roundtable-detail": {"code": "1.1"},
        "sdg-target-detail": {"code": "10.7"},
        "compact-theme-detail": {"code": "A.a"},
        "admin:app_list": {"app_label": "stakeholders"},
        "admin:view_on_site": {
            "content_type_id": ContentType.objects.get_for_model(w["req"]).pk,
            "object_id": w["req"].pk,
        },
        "admin:auth_user_password_change": {"id": w["owner"].pk},
    }
    out = []
    for name in sorted(set(collect())):
        kw = kwargs.get(name, {})
        if name.startswith("admin:") and name.endswith(("_change", "_delete", "_history")):
            label = name[6:].rsplit("_", 1)[0]
            app, _, model = label.partition("_")
            for m in apps.get_models():
                if f"{m._meta.app_label}_{m._meta.model_name}" == label:
                    kw = {"object_id": m.objects.order_by("pk").first().pk}
        url = reverse(name, kwargs=kw)
        row = []
        for role, user in roles.items():
            client.logout()
            if user:
                sign_in(client, user)
            for method in ("get", "post"):
                r = getattr(client, method)(url)
                loc = r.get("Location", "")
                row.append(f"{role}:{method}={r.status_code}{'->' + loc[:45] if loc else ''}")
        out.append(f"{name} {url}\n   " + "\n   ".join(row))
    open("/tmp/probe/out.txt", "w").write("\n".join(out))
