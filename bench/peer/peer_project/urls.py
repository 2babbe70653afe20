from django.urls import path

from peer_project import views

urlpatterns = [
    path("healthz", views.healthz),
    path("award/<int:member>", views.award),
    path("balance/<int:member>", views.balance),
]
