"""Issue #13 item 1: the login-free demo answers only a loopback bind AND a loopback request.

A real `lasna dashboard` on 127.0.0.1 with an empty user table (the demo store). A raw websocket
client opens the app with chosen Host/Origin headers — what a DNS-rebinding page (Host and
Origin = the attacker's name, resolving to 127.0.0.1) or a reverse proxy (Host: lasna.example.fi)
would send — and the test reads every message of the script run for leader names."""

from __future__ import annotations

import pytest

from dashboard.i18n import t
from tests.security.webserver import Dashboard, render

pytestmark = [pytest.mark.security, pytest.mark.slow]

DEMO_LEADER = "Markku Nieminen"  # a leader of the bundled demo data


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    from lasna.demo import load_demo
    from lasna.store import Store

    work = tmp_path_factory.mktemp("hostprobe")
    url = f"sqlite:///{work / 'demo.db'}"
    store = Store.open(url)
    load_demo(store)
    store.close()
    server = Dashboard(url, work, host="127.0.0.1", env={"LASNA_DASHBOARD_SCORES": "0",
                                                         "LASNA_DASHBOARD_COACHING": "0"})
    yield server
    server.stop()


def _served_demo(text: str) -> bool:
    return DEMO_LEADER in text or t("demo.local_banner", "en") in text


@pytest.mark.parametrize("host, origin", [
    ("127.0.0.1:{port}", None),
    ("127.0.0.1:{port}", "http://127.0.0.1:{port}"),
    ("localhost:{port}", "http://localhost:{port}"),
    ("[::1]:{port}", "http://[::1]:{port}"),
])
def test_loopback_requests_get_the_demo(demo_server, host, origin):
    port = demo_server.port
    text = render(port, host=host.format(port=port), origin=origin and origin.format(port=port))
    assert _served_demo(text), text[-2000:]


@pytest.mark.parametrize("label, host, origin, headers", [
    ("reverse proxy", "lasna.example.fi", None, None),
    ("reverse proxy with origin", "lasna.example.fi", "https://lasna.example.fi", None),
    ("DNS rebinding", "attacker.example:{port}", "http://attacker.example:{port}", None),
    ("name resolving to loopback", "127.0.0.1.nip.io:{port}", "http://127.0.0.1.nip.io:{port}", None),
    ("loopback host, foreign origin", "127.0.0.1:{port}", "http://attacker.example", None),
    ("loopback host, null origin", "127.0.0.1:{port}", "null", None),
    ("proxy forwarding to loopback", "127.0.0.1:{port}", None, {"X-Forwarded-Host": "lasna.example.fi"}),
    ("proxy, standard header", "localhost:{port}", None, {"Forwarded": "host=lasna.example.fi;proto=https"}),
])
def test_any_other_host_or_origin_gets_no_data(demo_server, label, host, origin, headers):
    port = demo_server.port
    text = render(port, host=host.format(port=port), origin=origin and origin.format(port=port), headers=headers)
    assert not _served_demo(text), label
    assert DEMO_LEADER not in text
    if "script_finished" in text:  # the app ran (Streamlit did not refuse the socket itself): it explained
        assert t("auth.demo_local_only", "en").split("`")[0].strip()[:60] in text, label


def test_public_bind_refuses_even_a_loopback_host(tmp_path_factory):
    from lasna.demo import load_demo
    from lasna.store import Store

    work = tmp_path_factory.mktemp("publicbind")
    url = f"sqlite:///{work / 'demo.db'}"
    load_demo(Store.open(url))
    server = Dashboard(url, work, host="0.0.0.0", env={"LASNA_DASHBOARD_SCORES": "0", "LASNA_DASHBOARD_COACHING": "0"})
    try:
        text = render(server.port, host=f"127.0.0.1:{server.port}")
        assert "script_finished" in text and not _served_demo(text)
        assert "lasna users add" in text
    finally:
        server.stop()
