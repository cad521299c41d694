from allauth.account.decorators import secure_admin_login
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from common.api import not_found as api_not_found
from gfmd_portal import views
from practices.api import PracticeViewSet
from roundtables.api import RoundTableViewSet, SessionViewSet
from sdg_targets.api import CompactThemeViewSet, TargetViewSet

# The admin signs in through allauth: its rate limits (the 6th failed attempt for one account
# within 5 minutes is refused) and its second factor apply there too.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "GFMD Portal administration"

router = DefaultRouter()
router.register("roundtables", RoundTableViewSet, basename="roundtable")
router.register("sdg-targets", TargetViewSet, basename="sdg-target")
router.register("compact-themes", CompactThemeViewSet, basename="compact-theme")
router.register("practices", PracticeViewSet, basename="practice")
router.register("sessions", SessionViewSet, basename="session")

urlpatterns = [
    # Service endpoints: health for load balancers, the benchmarks' baselines.
    path("healthz", views.healthz, name="healthz"),
    path("bench/bare", views.bare, name="bench-bare"),
    path("bench/signed-in", views.bare_signed_in, name="bench-signed-in"),
    # The JSON API and its OpenAPI description.
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    # Any other address under /api/ ending in a slash (without one, the slash is added first): a JSON 404.
    re_path(r"^api/(?:.*/)?$", api_not_found),
    path("admin/", admin.site.urls),
]

# Pages for people, under a language prefix: /en/, /fr/, /es/.
urlpatterns += i18n_patterns(
    path("", include("stakeholders.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("sdg_targets.urls")),
    path("practices/", include("practices.urls")),
    path("", include("roundtables.urls")),
    path("", include("declarations.urls")),
)
