from django.urls import path

from ecer.web.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("areas/<slug:code>/", views.area_detail, name="area"),
    path("targets/<slug:code>/", views.target_detail, name="target"),
    path("export/targets.xlsx", views.export_targets, name="export_targets"),
]
