from django.urls import path

from ecer.web.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.audit_search, name="search"),
    path("<str:label>/<int:pk>/", views.record_history, name="record"),
]
