from django.urls import path

from ecer.web.monitoring import views

app_name = "monitoring"

urlpatterns = [
    path("", views.point_list, name="points"),
    path("points/<int:pk>/", views.point_detail, name="point"),
    path("alarms/", views.alarm_list, name="alarms"),
    path("validity/", views.validity, name="validity"),
]
