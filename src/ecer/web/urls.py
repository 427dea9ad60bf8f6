from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from ecer.web.accounts.views import ThrottledLoginView
from ecer.web.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("", include("ecer.web.health.urls")),
]
urlpatterns += i18n_patterns(
    # One sign-in page, throttled, for everybody: the admin's own login form would bypass the
    # throttle and ask for a staff flag instead of the role.
    path("admin/login/", RedirectView.as_view(pattern_name="login", query_string=True)),
    path("admin/", admin.site.urls),
    path("login/", ThrottledLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("audit/", include("ecer.web.audit.urls")),
    path("energy/", include("ecer.web.energy.urls")),
    path("enterprises/", include("ecer.web.enterprises.urls")),
    path("reductions/", include("ecer.web.reductions.urls")),
    path("registers/", include("ecer.web.registers.urls")),
    path("monitoring/", include("ecer.web.monitoring.urls")),
    path("projects/", include("ecer.web.projects.urls")),
    path("rights/", include("ecer.web.rights.urls")),
    path("reports/", include("ecer.web.reports.urls")),
    path("quality/", include("ecer.web.quality.urls")),
    path("uploads/", include("ecer.web.uploads.urls")),
    path("tasks/", include("ecer.web.tasks.urls")),
    path("notifications/", include("ecer.web.notifications.urls")),
    path("cases/", include("ecer.web.cases.urls")),
    path("leaders/", include("ecer.web.leaders.urls")),
    path("todo/", include("ecer.web.home.urls")),
    path("programmes/", include("ecer.web.programmes.urls")),
    path("", include("ecer.web.catalog.urls")),
    prefix_default_language=False,
)
