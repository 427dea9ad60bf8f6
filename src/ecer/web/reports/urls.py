from django.urls import path

from ecer.web.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("generate/", views.generate, name="generate"),
    path("jobs/<int:job_id>/", views.job_status, name="job"),
    path("jobs/<int:job_id>/download/", views.download, name="download"),
    path("scheme/", views.scheme, name="scheme"),
]
