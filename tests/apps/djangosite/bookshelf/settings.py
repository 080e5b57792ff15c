"""Settings of the bookshelf project, as `django-admin startproject` lays them out (trimmed)."""

from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = "django-insecure-only-for-asgibdd-tests"
DEBUG = False
ALLOWED_HOSTS = ["bookshelf.example"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "books",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
]

ROOT_URLCONF = "bookshelf.urls"
ASGI_APPLICATION = "bookshelf.asgi.application"

# The developer's own database: tests must never write here.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
    }
}

STATIC_URL = "static/"

USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
