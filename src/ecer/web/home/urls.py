from django.urls import path

from ecer.web.home import views

app_name = "home"

urlpatterns = [
    path("", views.todo_page, name="todo"),
]
