from django.urls import path

from books import views

urlpatterns = [
    path("hello", views.hello),
    path("echo", views.echo),
    path("books", views.books),
]
