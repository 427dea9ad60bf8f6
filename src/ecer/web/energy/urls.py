from django.urls import path

from ecer.web.energy import views

app_name = "energy"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.xlsx", views.export_overview, name="export_overview"),
    path("import/", views.import_data, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("<slug:area_code>/", views.district, name="district"),
    path("<slug:area_code>/<int:year>/edit/", views.edit_year, name="edit_year"),
]
