"""A small, realistic FastAPI service to run acceptance tests against (`asgibdd.demo:app`).

Needs the `demo` extra (`pip install asgibdd[demo]`: FastAPI and python-multipart). All
state lives in memory and is created by the lifespan, so every test client starts clean.

Endpoints:

- `GET /health` — `{"status": "ok"}`; 503 explaining that the lifespan was not started.
- `GET /items?q=&limit=` — `{"items": [...], "count": n}`, optionally filtered by name.
- `POST /items` — JSON `{"name", "price", "tags"}`; 201, the item with `id` and `created_at`.
- `GET /items/{id}` — one item; 404 `{"detail": "Item 42 not found"}`.
- `PUT /items/{id}` — replace name, price and tags.
- `PATCH /items/{id}` — change some of name, price and tags.
- `DELETE /items/{id}` — 204.
- `POST /login` — form `username`, `password` (alice/s3cret, bob/hunter2); token + cookie.
- `GET /me` — `{"username"}` for `Authorization: Bearer <token>`; 401 otherwise.
- `GET /basic` — `{"username"}` for HTTP basic auth; 401 otherwise.
- `GET /session` — `{"username"}` for the `session` cookie set by login; 401 otherwise.
- `GET /old-items` — 301 to `/items`.
- `GET /redirect?to=/path` — 307 to that local path.
- `GET /cookies/set?name=value&...` — sets each cookie and returns them.
- `GET /cookies` — the request's cookies.
- `POST /upload` — multipart field `file`; `{"filename", "size", "content_type", "sha256"}`.
- `POST /echo` — the request body back, with the request's content type.
- `GET /echo/headers` — the request headers, lower-case names.
- `GET /events?count=&interval=` — SSE `tick` events `{"n": 1}`, ... every 0.1 s; `Last-Event-ID`.
- `GET /events/items` — a server-sent `item` event for each item created while it is open.
- `GET /stream/lines?count=` — `line 1\\n`, `line 2\\n`, ... as separate chunks.
- `WS /ws/echo` — echoes text and bytes; `{"close": 4000}` closes with that code.
- `WS /ws/chat/{room}?name=alice` — a chat room: joined, message and left notices.
- `WS /ws/private?token=` — greets the token's user; 403 denial response without one.

In its test mode (`create_testing_app()`, for a server that serves a whole live test run)
it also has `POST /testing/reset`, which empties the store.
"""

from __future__ import annotations

from asgibdd.demo.app import create_app, create_testing_app

__all__ = ["app", "create_app", "create_testing_app"]

app = create_app()
