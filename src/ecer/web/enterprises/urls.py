from django.urls import path

from ecer.web.accounts import api_keys
from ecer.web.enterprises import views

app_name = "enterprises"

urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("benchmarks/", views.benchmarks, name="benchmarks"),
    path("reports/import/", views.import_reports, name="import"),
    path("reports/import/template.xlsx", views.import_template, name="import_template"),
    path("api-keys/", api_keys.key_list, name="api_keys"),
    path("api-keys/<int:pk>/revoke/", api_keys.key_revoke, name="api_key_revoke"),
    path("<str:code>/", views.enterprise_detail, name="detail"),
    path("<str:code>/reports/<int:year>/", views.report_detail, name="report"),
    path("<str:code>/reports/<int:year>/edit/", views.report_edit, name="report_edit"),
    path("<str:code>/reports/<int:year>/submit/", views.report_submit, name="report_submit"),
    path("<str:code>/reports/<int:year>/review/", views.report_review, name="report_review"),
]
