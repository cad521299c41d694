from django.urls import path

from roundtables import views

app_name = "roundtables"

urlpatterns = [
    path("", views.Home.as_view(), name="home"),
    path("roundtables/", views.Programme.as_view(), name="current-programme"),
    path("roundtables/<slug:forum>/", views.Programme.as_view(), name="programme"),
    path("roundtables/<slug:forum>/<str:code>/", views.RoundTableDetail.as_view(), name="detail"),
]
