from django.urls import path

from ecer.web.rights import views

app_name = "rights"

urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("accounts/<str:code>/", views.account, name="account"),
    path("allocate/", views.allocate, name="allocate"),
    path("trade/", views.trade, name="trade"),
    path("surrender/", views.surrender, name="surrender"),
    path("entries/<int:pk>/reverse/", views.reverse, name="reverse"),
]
