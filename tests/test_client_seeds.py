"""The examples of Starlette's TestClient guide and FastAPI's TestClient reference, run on ours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, File, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.websockets import WebSocket

from asgibdd import TestClient
from asgibdd._types import Receive, Scope, Send
from tests.conftest import Backend


async def hello_app(scope: Scope, receive: Receive, send: Send) -> None:
    assert scope["type"] == "http"
    response = HTMLResponse("Hello, world!")
    await response(scope, receive, send)


async def auth_app(scope: Scope, receive: Receive, send: Send) -> None:
    request = Request(scope, receive)
    response = JSONResponse({"authorization": request.headers.get("authorization")})
    await response(scope, receive, send)


async def websocket_app(scope: Scope, receive: Receive, send: Send) -> None:
    assert scope["type"] == "websocket"
    websocket = WebSocket(scope, receive=receive, send=send)
    await websocket.accept()
    await websocket.send_text("Hello, world!")
    await websocket.close()


def test_the_guides_hello_world_app_answers_200(backend: Backend) -> None:
    response = TestClient(hello_app, backend=backend).get("/")
    assert (response.status_code, response.text) == (200, "Hello, world!")


def test_headers_set_on_the_client_and_per_request_reach_the_app() -> None:
    client = TestClient(auth_app)
    client.headers = {"Authorization": "client-wide"}
    assert client.get("/").json() == {"authorization": "client-wide"}
    response = client.get("/", headers={"Authorization": "per-request"})
    assert response.json() == {"authorization": "per-request"}


upload_app = FastAPI()


@upload_app.post("/form")
async def form(
    file: UploadFile | None = File(None),  # noqa: B008 - FastAPI's own idiom
    file1: UploadFile | None = File(None),  # noqa: B008
    file2: UploadFile | None = File(None),  # noqa: B008
) -> dict[str, list[object]]:
    return {
        "files": [
            [upload.filename, upload.content_type, len(await upload.read())]
            for upload in (file, file1, file2)
            if upload is not None
        ]
    }


def test_a_single_file_is_uploaded(tmp_path: Path) -> None:
    example = tmp_path / "example.txt"
    example.write_text("hello")
    with example.open("rb") as f:
        response = TestClient(upload_app).post("/form", files={"file": f})
    assert response.json() == {"files": [["example.txt", "text/plain", 5]]}


def test_several_files_are_uploaded(tmp_path: Path) -> None:
    (tmp_path / "example.txt").write_bytes(b"text")
    (tmp_path / "example.png").write_bytes(b"\x89PNG\r\n")
    with (tmp_path / "example.txt").open("rb") as f1, (tmp_path / "example.png").open("rb") as f2:
        files: dict[str, Any] = {"file1": f1, "file2": ("filename", f2, "image/png")}
        response = TestClient(upload_app).post("/form", files=files)
    assert response.json() == {
        "files": [["example.txt", "text/plain", 4], ["filename", "image/png", 6]]
    }


def test_a_500_page_can_be_inspected_when_server_exceptions_are_not_raised() -> None:
    app = FastAPI()

    @app.get("/")
    async def broken() -> None:
        raise RuntimeError("oops")

    response = TestClient(app, raise_server_exceptions=False).get("/")
    assert (response.status_code, response.text) == (500, "Internal Server Error")


def test_the_trio_backend_runs_the_app_inside_with() -> None:
    with TestClient(hello_app, backend="trio") as client:
        assert client.get("/").text == "Hello, world!"


def test_the_guides_websocket_example_receives_hello(backend: Backend) -> None:
    client = TestClient(websocket_app, backend=backend)
    with client.websocket_connect("/") as websocket:
        assert websocket.receive_text() == "Hello, world!"


def test_fastapis_reference_constructor_defaults() -> None:
    client = TestClient(hello_app)
    assert str(client.base_url) == "http://testserver"
    assert client.raise_server_exceptions is True
    assert client.root_path == ""
    assert client.async_backend == {"backend": "asyncio", "backend_options": {}}
    assert client.follow_redirects is True
    assert client.headers["user-agent"] == "testclient"
    assert client.app_state == {}
    assert client.portal is None
