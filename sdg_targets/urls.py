from django.urls import path

from sdg_targets import views

app_name = "sdg_targets"

urlpatterns = [
    path("sdg-targets/", views.TargetList.as_view(), name="target-list"),
    path("sdg-targets/<str:code>/", views.TargetDetail.as_view(), name="target-detail"),
    path("compact-themes/", views.ThemeList.as_view(), name="theme-list"),
    path("compact-themes/<str:code>/", views.ThemeDetail.as_view(), name="theme-detail"),
]
