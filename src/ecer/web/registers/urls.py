from django.urls import path

from ecer.web.registers import views

app_name = "registers"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.export_view, name="export"),
    path("template.xlsx", views.import_template, name="template"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/step/", views.add_step, name="step"),
    path("items/<int:pk>/steps/<int:step_pk>/evidence/", views.evidence_file, name="evidence"),
    path("<slug:code>/", views.register_detail, name="register"),
    path("<slug:code>/new/", views.item_new, name="new"),
    path("<slug:code>/import/", views.import_view, name="import"),
]
