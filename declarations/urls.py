"""The presidential declaration: staff compile, edit, compare and publish drafts; the public reads it.

Public pages live under declaration/; staff pages under staff/declaration/ (the second factor is
required first there, like every /<lang>/staff/ page).
"""

from django.urls import path

from declarations import views

app_name = "declarations"

urlpatterns = [
    # The public: the current forum's published declaration, and its downloads (any version for staff).
    path("declaration/", views.PublicDeclaration.as_view(), name="public"),
    path("declaration/versions/<int:pk>/<str:fmt>/", views.DraftDownload.as_view(), name="download"),
    # Staff: a forum's declarations, compiling and its progress.
    path("staff/declaration/", views.StaffOverview.as_view(), name="staff-overview"),
    path("staff/declaration/forum/<slug:forum>/", views.StaffOverview.as_view(), name="staff-forum"),
    path("staff/declaration/forum/<slug:forum>/compile/", views.StaffCompile.as_view(), name="staff-compile"),
    path("staff/declaration/jobs/<int:pk>/", views.StaffJob.as_view(), name="staff-job"),
    # Staff: the language versions side by side.
    path("staff/declaration/forum/<slug:forum>/languages/", views.StaffLanguages.as_view(), name="staff-languages"),
    # Staff: one version, its paragraphs' sources, editing, marking final, publishing.
    path("staff/declaration/versions/<int:pk>/", views.StaffDraft.as_view(), name="staff-draft"),
    path(
        "staff/declaration/versions/<int:pk>/paragraphs/<int:position>/edit/",
        views.StaffParagraphEdit.as_view(),
        name="staff-paragraph-edit",
    ),
    path(
        "staff/declaration/versions/<int:pk>/paragraphs/<int:position>/sources/",
        views.StaffParagraphSources.as_view(),
        name="staff-paragraph-sources",
    ),
    path("staff/declaration/versions/<int:pk>/final/", views.StaffMarkFinal.as_view(), name="staff-mark-final"),
    path("staff/declaration/versions/<int:pk>/publish/", views.StaffPublish.as_view(), name="staff-publish"),
    path("staff/declaration/versions/<int:pk>/unpublish/", views.StaffUnpublish.as_view(), name="staff-unpublish"),
    # Staff: any two versions compared.
    path("staff/declaration/<int:pk>/compare/", views.StaffCompare.as_view(), name="staff-compare"),
]
