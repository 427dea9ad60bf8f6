from django.urls import path

from ecer.web.programmes import views

app_name = "programmes"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export_view, name="export"),
    path("template.xlsx", views.import_template, name="template"),
    path("import/", views.import_view, name="import"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/edit/", views.project_edit, name="edit"),
    path("projects/<int:pk>/progress/", views.add_progress, name="progress"),
    path(
        "projects/<int:pk>/progress/<int:entry_pk>/evidence/",
        views.evidence_file,
        name="evidence",
    ),
    path("<slug:code>/", views.programme_detail, name="programme"),
    path("<slug:code>/new/", views.project_new, name="new"),
]
