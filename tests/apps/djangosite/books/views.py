"""JSON views: one async, the rest sync (Django runs those in a worker thread under ASGI)."""

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from books.models import Book


@require_GET
async def hello(request: HttpRequest) -> JsonResponse:
    # Django has no lifespan: "started" is true because nothing needs starting.
    return JsonResponse({"hello": "world", "started": True})


@csrf_exempt
@require_POST
def echo(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"received": json.loads(request.body)}, status=201)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def books(request: HttpRequest) -> JsonResponse:
    if request.method == "POST":
        book = Book.objects.create(title=json.loads(request.body)["title"])
        return JsonResponse(book.as_json(), status=201)
    return JsonResponse([book.as_json() for book in Book.objects.order_by("id")], safe=False)
