"""Choosing the live target, its settings, and what it refuses because it needs the app."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from asgibdd.client import LiveClient, TestClient
from asgibdd.config import load_config
from asgibdd.environment import World, before_scenario, feature_lifespan, make_client
from asgibdd.errors import ConfigError, UsageError
from asgibdd.extensions import run_extensions
from asgibdd.world import Extensions
from tests.live_server import free_port

STAGING = "https://staging.example.com"


def test_a_base_url_without_an_app_is_the_live_target(tmp_path: Path) -> None:
    config = load_config({"asgibdd.base_url": STAGING}, {}, tmp_path)
    assert (config.target, config.live, config.app, config.base_url) == (
        "live",
        True,
        "",
        STAGING,
    )


def test_with_an_app_the_target_is_in_process_unless_chosen(tmp_path: Path) -> None:
    userdata = {"asgibdd.app": "a:b", "asgibdd.base_url": STAGING}
    assert load_config(userdata, {}, tmp_path).target == "in-process"
    chosen = load_config(userdata, {"ASGIBDD_TARGET": "live"}, tmp_path)
    assert (chosen.target, chosen.app) == ("live", "a:b")


def test_an_unknown_target_says_which_there_are(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({"asgibdd.target": "staging"}, {}, tmp_path)
    assert str(raised.value) == (
        'The target from behave -D asgibdd.target must be "in-process" (the app runs in this '
        "process) or \"live\" (a deployed service at base_url), got 'staging'."
    )


def test_the_live_target_needs_an_http_base_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({"asgibdd.target": "live"}, {}, tmp_path)
    assert str(raised.value) == (
        "The live target needs the base URL of the running service, like "
        "https://staging.example.com; got none. Give it with -D asgibdd.base_url=..., "
        "ASGIBDD_BASE_URL or base_url in [tool.asgibdd]."
    )
    with pytest.raises(ConfigError, match=r"got 'staging\.example\.com' from behave -D"):
        load_config({"asgibdd.base_url": "staging.example.com"}, {}, tmp_path)


def test_verify_is_a_flag_or_an_existing_ca_bundle(tmp_path: Path) -> None:
    live = {"asgibdd.base_url": STAGING}
    assert load_config({**live, "asgibdd.verify": "false"}, {}, tmp_path).verify is False
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not checked here")
    assert load_config({**live, "asgibdd.verify": str(bundle)}, {}, tmp_path).verify == str(bundle)
    with pytest.raises(ConfigError) as raised:
        load_config({**live, "asgibdd.verify": "missing.pem"}, {}, tmp_path)
    assert str(raised.value) == (
        "The verify setting from behave -D asgibdd.verify names the CA bundle 'missing.pem', "
        "but there is no such file. Give the path of a PEM file, or true/false."
    )


def test_a_proxy_is_a_url(tmp_path: Path) -> None:
    live = {"asgibdd.base_url": STAGING}
    proxy = "http://proxy.example.com:3128"
    assert load_config({**live, "asgibdd.proxy": proxy}, {}, tmp_path).proxy == proxy
    with pytest.raises(ConfigError) as raised:
        load_config({**live, "asgibdd.proxy": "proxy:3128"}, {}, tmp_path)
    assert str(raised.value) == (
        "The proxy from behave -D asgibdd.proxy must be a URL like "
        "http://proxy.example.com:3128, got 'proxy:3128'."
    )


def test_live_settings_in_process_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config({"asgibdd.app": "a:b", "asgibdd.verify": "false"}, {}, tmp_path)
    assert str(raised.value) == (
        "The setting verify only applies to the live target (a deployed service), but the "
        'target is in-process. Set target = "live" with the service\'s base_url, or remove them.'
    )


def test_a_lifespan_tag_is_refused_live_unless_the_feature_is_in_process_only(
    tmp_path: Path,
) -> None:
    config = load_config({"asgibdd.base_url": STAGING}, {}, tmp_path)
    assert feature_lifespan(config, ["in-process", "asgibdd.lifespan=feature"]) == "scenario"
    with pytest.raises(ConfigError) as raised:
        feature_lifespan(config, ["asgibdd.lifespan=feature"])
    assert str(raised.value) == (
        "The tag @asgibdd.lifespan=feature shares the app's lifespan in this process, but this "
        f"run tests the live service at {STAGING}, whose server runs its lifespan. Tag the "
        "feature @in-process to skip it in live runs, or remove the tag."
    )


def test_the_live_target_gets_a_live_client_with_the_configured_bound(tmp_path: Path) -> None:
    config = load_config({"asgibdd.base_url": STAGING, "asgibdd.timeout": "2.5"}, {}, tmp_path)
    client = make_client(World(config=config, app=None))
    assert isinstance(client, LiveClient)
    assert isinstance(client, TestClient)  # so every step accepts it
    assert (str(client.base_url), client.wait_timeout, client.timeout.connect) == (
        f"{STAGING}",
        2.5,
        2.5,
    )
    client.close()


def test_what_needs_the_app_object_says_so_on_a_live_client() -> None:
    with LiveClient(STAGING) as client:
        with pytest.raises(UsageError) as raised:
            _ = client.app_state
        assert str(raised.value) == (
            "client.app_state needs the app object in this process; this LiveClient talks to "
            f"the service at {STAGING} over the network. Use TestClient(app) for it (behave: "
            "the in-process target, or tag the scenario @in-process)."
        )
        with pytest.raises(UsageError, match=r"^raise_server_exceptions=True needs the app"):
            client.raise_server_exceptions = True
        assert client.raise_server_exceptions is False


def test_a_live_client_needs_a_service_url() -> None:
    with pytest.raises(UsageError) as raised:
        LiveClient("staging.example.com")
    assert str(raised.value) == (
        "LiveClient needs the base URL of the running service, like "
        "\"https://staging.example.com\", got 'staging.example.com'."
    )


def test_an_in_process_scenario_is_skipped_live_with_its_reason(tmp_path: Path) -> None:
    config = load_config({"asgibdd.base_url": STAGING}, {}, tmp_path)
    world = World(
        config=config, app=None, extensions=Extensions(run_extensions(config, None, None))
    )
    skipped: list[str] = []

    def skip(reason: str) -> None:
        skipped.append(reason)
        scenario.should_skip = True

    scenario = SimpleNamespace(effective_tags={"in-process"}, skip=skip, should_skip=False)
    before_scenario(SimpleNamespace(asgibdd=world, add_cleanup=lambda *_: None), scenario)
    assert skipped == [
        "tagged @in-process: it needs the app in this process, and this run tests the live "
        f"service at {STAGING}"
    ]
    assert world.client is None
    assert not hasattr(scenario, "asgibdd_journal")  # no extension after the skip started


def test_requests_go_through_the_configured_proxy() -> None:
    proxy = f"http://127.0.0.1:{free_port()}"  # nobody listens: the proxy refuses
    with (
        LiveClient("http://service.invalid", proxy=proxy) as client,
        pytest.raises(ConfigError) as raised,
    ):
        client.get("/health")
    assert str(raised.value) == (
        "Cannot reach the service at http://service.invalid for GET "
        "http://service.invalid/health: [Errno 111] Connection refused. Check that the service "
        f"runs there and that base_url names it. The request went through the proxy {proxy}: "
        "check it too."
    )
