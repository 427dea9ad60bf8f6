from django.urls import path

from ecer.web.quality import views

app_name = "quality"

urlpatterns = [
    path("", views.finding_list, name="findings"),
    path("export.xlsx", views.finding_export, name="export"),
    path("run/", views.run_now, name="run"),
    path("rules/", views.rule_set, name="rules"),
    path("rules/text/", views.rule_text, name="rule_text"),
    path("rules/<int:version>/", views.rule_set_version, name="rule_version"),
    path("overdue/", views.overdue, name="overdue"),
    path("notifications/", views.notifications, name="notifications"),
    path("districts/<slug:area_code>/", views.district_page, name="district"),
    path("enterprises/<str:code>/", views.enterprise_page, name="enterprise"),
]
