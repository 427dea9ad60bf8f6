from django.urls import path

from ecer.web.uploads import views

app_name = "uploads"
urlpatterns = [
    path("errors/<int:pk>.csv", views.error_list, name="errors"),
]
