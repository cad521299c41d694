"""The public database: search, a practice's page and files, exports of a search."""

from django.urls import path

from practices import public_views as views

urlpatterns = [
    path("", views.practice_list, name="list"),
    path("export.csv", views.export_csv, name="export-csv"),
    path("export.json", views.export_json, name="export-json"),
    path("<int:pk>/", views.practice_detail, name="detail"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
]
