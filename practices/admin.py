from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F

from common.admin import ReadOnlyAdmin
from practices import services
from practices.models import Attachment, Practice, Transition


class AttachmentInline(admin.TabularInline):
    model = Attachment
    fields = ["title", "kind", "size", "uploaded_by", "created"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        # Files are added on the site, where their content is checked.
        return False


class TransitionInline(admin.TabularInline):
    model = Transition
    fields = ["created", "actor", "from_status", "to_status", "comment"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "status", "language", "submitted_at", "published_at", "updated"]
    list_filter = ["status", "language"]
    search_fields = ["title", "organisation__name"]
    date_hierarchy = "created"
    # The workflow (status, version, dates) moves only through practices.services: on the
    # review pages, or with the actions below, which are recorded in the history and audited.
    readonly_fields = [
        "organisation",
        "created_by",
        "status",
        "version",
        "created",
        "updated",
        "submitted_at",
        "published_at",
    ]
    exclude = ["search_vector"]
    filter_horizontal = ["sdg_targets", "compact_themes", "round_tables"]
    inlines = [AttachmentInline, TransitionInline]
    actions = ["start_review", "publish"]

    def has_add_permission(self, request):
        # Delegates submit practices on the site, for their government.
        return False

    def save_model(self, request, obj, form, change):
        # An edit here makes any form opened on the site at the old version stale (services.save_draft).
        obj.version = F("version") + 1
        super().save_model(request, obj, form, change)
        obj.refresh_from_db(fields=["version"])

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.update_search_vector([form.instance.pk])

    def _step(self, request, queryset, action):
        done = 0
        for practice in queryset:
            try:
                services.transition(practice=practice, actor=request.user, action=action)
                done += 1
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else "permission denied"
                self.message_user(request, f"{practice}: {text}", messages.ERROR)
        if done:
            self.message_user(request, f"{done} practice(s) moved.", messages.SUCCESS)

    @admin.action(description="Start the review of the selected submitted practices")
    def start_review(self, request, queryset):
        self._step(request, queryset, "start_review")

    @admin.action(description="Publish the selected practices (submitted or in review)")
    def publish(self, request, queryset):
        self._step(request, queryset, "publish")


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "practice", "kind", "size", "uploaded_by", "created"]
    list_filter = ["kind"]
    search_fields = ["title", "practice__title"]
    fields = ["practice", "title", "kind", "size", "uploaded_by", "created"]
    readonly_fields = ["practice", "kind", "size", "uploaded_by", "created"]

    def has_add_permission(self, request):
        # Added on the site, where the content is checked (services.add_attachment).
        return False


@admin.register(Transition)
class TransitionAdmin(ReadOnlyAdmin):
    """The workflow's history: read-only."""

    list_display = ["created", "practice", "actor", "from_status", "to_status"]
    list_filter = ["to_status"]
    search_fields = ["practice__title", "comment"]
    readonly_fields = ["practice", "actor", "from_status", "to_status", "comment", "created"]
