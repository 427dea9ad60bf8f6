from django.urls import path

from ecer.web.catalog import filing_views, observation_views, views

app_name = "catalog"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("areas/<slug:code>/", views.area_detail, name="area"),
    path("targets/<slug:code>/", views.target_detail, name="target"),
    path("export/targets.xlsx", views.export_targets, name="export_targets"),
    path("observations/", observation_views.observation_list, name="observations"),
    path("observations/new/", observation_views.observation_create, name="observation_new"),
    path("observations/file/", filing_views.filing_grid, name="filing"),
    path("observations/file/export.xlsx", filing_views.filing_export, name="filing_export"),
    path("observations/file/import/", filing_views.filing_import, name="filing_import"),
    path("observations/import/", observation_views.observation_import, name="observation_import"),
    path("observations/<int:pk>/", observation_views.observation_detail, name="observation"),
    path(
        "observations/<int:pk>/submit/",
        observation_views.observation_submit,
        name="observation_submit",
    ),
    path(
        "observations/<int:pk>/approve/",
        observation_views.observation_approve,
        name="observation_approve",
    ),
    path(
        "observations/<int:pk>/return/",
        observation_views.observation_return,
        name="observation_return",
    ),
    path(
        "observations/<int:pk>/correct/",
        observation_views.observation_correct,
        name="observation_correct",
    ),
    path("review/", observation_views.review_queue, name="review_queue"),
    path("help/terms/", views.terms, name="terms"),
]
