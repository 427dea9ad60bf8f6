from django.urls import path

from ecer.web.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("stats/", views.stats, name="stats"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/move/", views.case_move, name="move"),
    path("<int:pk>/steps/<int:step_pk>/evidence/", views.evidence_file, name="evidence"),
]
