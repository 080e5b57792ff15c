"""URL configuration of the bookshelf project."""

from django.urls import include, path

urlpatterns = [path("", include("books.urls"))]
