from django.urls import path

from ecer.web.leaders import views

app_name = "leaders"

urlpatterns = [
    path("map/", views.city_map, name="map"),
    path("lights/", views.lights, name="lights"),
    path("lights/export.xlsx", views.lights_export, name="lights_export"),
    path("screen/", views.screen, name="screen"),
    path("screen/panels/", views.screen_panels, name="screen_panels"),
    path("phone/", views.phone, name="phone"),
]
