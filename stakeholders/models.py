"""Who takes part: organisations and the profiles of people (first cut; accounts and roles
are built on it)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class Constituency(models.TextChoices):
    GOVERNMENT = "government", _("Government")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    INTERNATIONAL_ORGANISATION = "international_organisation", _("International organisation")
    ACADEMIA = "academia", _("Academia")
    LOCAL_AUTHORITY = "local_authority", _("Local authority")


class Organisation(models.Model):
    name = models.CharField(_("name"), max_length=300)
    constituency = models.CharField(_("constituency"), max_length=32, choices=Constituency.choices)
    country = CountryField(_("country"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [models.UniqueConstraint(fields=["name", "country"], name="unique_organisation_name_country")]

    def __str__(self):
        return self.name


class Profile(models.Model):
    class DelegateStatus(models.TextChoices):
        NONE = "none", _("Not requested")
        REQUESTED = "requested", _("Requested")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="members"
    )
    constituency = models.CharField(_("constituency"), max_length=32, choices=Constituency.choices, blank=True)
    country = CountryField(_("country"), blank=True)
    position = models.CharField(_("position"), max_length=200, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    delegate_status = models.CharField(
        _("delegate status"), max_length=16, choices=DelegateStatus.choices, default=DelegateStatus.NONE
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return f"{self.user} ({self.get_constituency_display() or '-'})"
