from django.urls import path

from ecer.web.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.register, name="register"),
    path("worklist.xlsx", views.export_worklist, name="worklist"),
    path("new/", views.edit, name="new"),
    path("budget/<slug:area_code>/", views.budget, name="budget"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
]
