from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from common.admin import ReadOnlyAdmin
from stakeholders import services
from stakeholders.models import AuditEntry, DelegateInvitation, DelegateRequest, Organisation, Profile


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "constituency", "country", "status", "reference"]
    list_filter = ["constituency", "status"]
    search_fields = ["name", "reference"]
    # Proposals are reviewed on the staff page (/staff/organisations/), audited and emailed.
    readonly_fields = ["reference", "proposed_by", "proposed_at"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "constituency", "country", "delegate_status"]
    list_filter = ["constituency", "delegate_status"]
    search_fields = ["user__email", "organisation__name"]
    # The delegate status is granted through the review of a request or an invitation, and focal
    # points are appointed on the staff page: both audited.
    readonly_fields = ["delegate_status", "focal_point_for"]
    raw_id_fields = ["user", "organisation"]


@admin.register(DelegateRequest)
class DelegateRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "status", "created", "decided_by"]
    list_filter = ["status"]
    readonly_fields = [
        "user",
        "organisation",
        "justification",
        "note_verbale",
        "status",
        "decided_by",
        "decided_at",
        "reason",
        "created",
    ]
    actions = ["approve"]

    def has_add_permission(self, request):
        # Participants make requests on the site; every field here is read-only.
        return False

    @admin.action(description="Approve the selected pending requests")
    def approve(self, request, queryset):
        for delegate_request in queryset.filter(status=DelegateRequest.Status.PENDING):
            try:
                services.decide_delegate_request(delegate_request=delegate_request, reviewer=request.user, approve=True)
            except ValidationError as error:
                self.message_user(request, f"{delegate_request}: {' '.join(error.messages)}", messages.ERROR)


@admin.register(DelegateInvitation)
class DelegateInvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "invited_by", "created", "accepted_at"]
    readonly_fields = ["email", "organisation", "language", "invited_by", "created", "accepted_by", "accepted_at"]

    def has_add_permission(self, request):
        # Staff invite on the staff page (audited, emailed); every field here is read-only.
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created", "actor", "action", "object_repr"]
    list_filter = ["action"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
