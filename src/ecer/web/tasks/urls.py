from django.urls import path

from ecer.web.tasks import views

app_name = "tasks"
urlpatterns = [
    path("", views.task_list, name="list"),
    path("league/", views.league, name="league"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report_edit"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("reports/<int:pk>/evidence/<int:evidence_pk>/", views.evidence_file, name="evidence"),
    path("<slug:code>/", views.task_detail, name="detail"),
    path("<slug:code>/report/", views.report_new, name="report_new"),
    path("<slug:code>/milestones/", views.milestone_new, name="milestone_new"),
]
