"""The public programme: the home page, a forum's programme, a round table's page, the archive of
forums; then the staff's programme editor.

Included by roundtables/urls.py (namespace "roundtables").
"""

from django.urls import path

from roundtables.programme import staff_views as staff
from roundtables.programme import views

urlpatterns = [
    path("", views.Home.as_view(), name="home"),
    path("roundtables/", views.Programme.as_view(), name="current-programme"),
    path("roundtables/<slug:forum>/", views.Programme.as_view(), name="programme"),
    path("roundtables/<slug:forum>/<str:code>/", views.RoundTableDetail.as_view(), name="detail"),
    # Every published forum, past ones included.
    path("forums/", views.ForumArchive.as_view(), name="forum-archive"),
    # Co-chair staff edit the programme (under /staff/: the second factor is required first).
    # The forums, a new one; one forum: its details, publication, current, a copy, its translations.
    path("staff/programme/", staff.ForumList.as_view(), name="staff-programme"),
    path("staff/programme/new/", staff.ForumCreate.as_view(), name="staff-programme-create"),
    path("staff/programme/<slug:forum>/", staff.ForumEditor.as_view(), name="staff-programme-forum"),
    path("staff/programme/<slug:forum>/publish/", staff.ForumPublish.as_view(), name="staff-programme-publish"),
    path("staff/programme/<slug:forum>/current/", staff.ForumMakeCurrent.as_view(), name="staff-programme-current"),
    path("staff/programme/<slug:forum>/copy/", staff.ForumCopy.as_view(), name="staff-programme-copy"),
    path(
        "staff/programme/<slug:forum>/translations/",
        staff.TranslationOverview.as_view(),
        name="staff-programme-translations",
    ),
    # Its own links to the Compact themes.
    path("staff/programme/<slug:forum>/links/", staff.ForumLinkAdd.as_view(), name="staff-programme-forum-link-add"),
    path(
        "staff/programme/<slug:forum>/links/remove/",
        staff.ForumLinkRemove.as_view(),
        name="staff-programme-forum-link-remove",
    ),
    # Its sub-themes.
    path("staff/programme/<slug:forum>/sub-themes/", staff.SubThemeAdd.as_view(), name="staff-programme-sub-theme-add"),
    path(
        "staff/programme/<slug:forum>/sub-themes/<int:pk>/",
        staff.SubThemeChange.as_view(),
        name="staff-programme-sub-theme",
    ),
    # Its round tables: a new one, one's details, its guiding questions, its links to the frameworks.
    path(
        "staff/programme/<slug:forum>/round-tables/new/",
        staff.RoundTableCreate.as_view(),
        name="staff-programme-round-table-create",
    ),
    path(
        "staff/programme/<slug:forum>/round-tables/<int:pk>/",
        staff.RoundTableEditor.as_view(),
        name="staff-programme-round-table",
    ),
    path(
        "staff/programme/<slug:forum>/round-tables/<int:pk>/questions/",
        staff.QuestionAdd.as_view(),
        name="staff-programme-question-add",
    ),
    path(
        "staff/programme/<slug:forum>/round-tables/<int:pk>/questions/order/",
        staff.QuestionsReorder.as_view(),
        name="staff-programme-questions-reorder",
    ),
    path(
        "staff/programme/<slug:forum>/round-tables/<int:pk>/questions/<int:question>/",
        staff.QuestionChange.as_view(),
        name="staff-programme-question",
    ),
    path(
        "staff/programme/<slug:forum>/round-tables/<int:pk>/questions/<int:question>/move/",
        staff.QuestionMove.as_view(),
        name="staff-programme-question-move",
    ),
    path(
        "staff/programme/<slug:forum>/round-tables/<int:pk>/questions/<int:question>/remove/",
        staff.QuestionRemove.as_view(),
        name="staff-programme-question-remove",
    ),
    path(
        "staff/programme/<slug:forum>/round-tables/<int:pk>/links/",
        staff.LinkAdd.as_view(),
        name="staff-programme-link-add",
    ),
    path(
        "staff/programme/<slug:forum>/round-tables/<int:pk>/links/remove/",
        staff.LinkRemove.as_view(),
        name="staff-programme-link-remove",
    ),
]
