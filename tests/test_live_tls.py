"""TLS against a live service: verified by default, against a CA bundle, or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from asgibdd.client import LiveClient
from asgibdd.config import load_config
from asgibdd.environment import World, make_client
from asgibdd.errors import ConfigError
from tests.live_server import TLSFiles, serve_demo


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TLSFiles:
    folder = tmp_path_factory.mktemp("tls")
    authority = trustme.CA()
    server = authority.issue_cert("127.0.0.1")
    files = TLSFiles(folder / "server.pem", folder / "server.key", folder / "ca.pem")
    server.cert_chain_pems[0].write_to_path(str(files.certificate))
    server.private_key_pem.write_to_path(str(files.key))
    authority.cert_pem.write_to_path(str(files.ca_bundle))
    return files


@pytest.fixture(scope="module")
def https_url(tmp_path_factory: pytest.TempPathFactory, tls_files: TLSFiles) -> Iterator[str]:
    log = tmp_path_factory.mktemp("uvicorn") / "uvicorn.log"
    with serve_demo(log, tls=tls_files) as base_url:
        yield base_url


def test_an_unknown_certificate_is_refused_with_what_to_do(https_url: str) -> None:
    with LiveClient(https_url) as client, pytest.raises(ConfigError) as raised:
        client.get("/health")
    shown = str(raised.value)
    assert shown.startswith(f"Cannot reach the service at {https_url} for GET {https_url}/health:")
    assert shown.endswith(
        "Its TLS certificate could not be verified: point `verify` at the CA bundle that signed "
        'it (verify = "/path/to/ca.pem"), or for a test server only, verify = false.'
    )


def test_the_verify_setting_names_the_ca_bundle(
    https_url: str, tls_files: TLSFiles, tmp_path: Path
) -> None:
    userdata = {"asgibdd.base_url": https_url, "asgibdd.verify": str(tls_files.ca_bundle)}
    with make_client(World(config=load_config(userdata, {}, tmp_path), app=None)) as client:
        assert client.get("/health").json() == {"status": "ok"}
        with client.websocket_connect("/ws/echo") as websocket:  # wss:// through the same TLS
            websocket.send_text("over tls")
            assert websocket.receive_text(timeout=2.0) == "over tls"


def test_verification_can_be_turned_off_for_a_test_server(https_url: str) -> None:
    with LiveClient(https_url, verify=False) as client:
        assert client.get("/health").status_code == 200
