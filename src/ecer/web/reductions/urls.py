from django.urls import path

from ecer.web.reductions import views

app_name = "reductions"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("new/", views.project_edit, name="new"),
    path("<int:pk>/", views.project_detail, name="project"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("<int:pk>/evidence/", views.add_evidence, name="evidence"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_file, name="evidence_file"),
    path("<int:pk>/close/", views.close_finding, name="close"),
    path("<int:pk>/decide/", views.decide, name="decide"),
]
