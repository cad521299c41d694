"""The public programme: the home page, a forum's programme, a round table's page.

Included by roundtables/urls.py (namespace "roundtables").
"""

from django.urls import path

from roundtables.programme import views

urlpatterns = [
    path("", views.Home.as_view(), name="home"),
    path("roundtables/", views.Programme.as_view(), name="current-programme"),
    path("roundtables/<slug:forum>/", views.Programme.as_view(), name="programme"),
    path("roundtables/<slug:forum>/<str:code>/", views.RoundTableDetail.as_view(), name="detail"),
]
