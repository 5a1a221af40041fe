"""What the web app promises a hostile request (docs/security.md): one case per way it once broke."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import stat

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from tests.support.webapp import csrf_token
from triage import config
from triage.store import Store
from web import create_app, guard

LORA = "2603.27981"
BOTTLENECK = (
    "Full fine-tuning of the Whisper encoder runs out of GPU memory; "
    "I need a parameter-efficient method such as low-rank adapters"
)


def queued(app, paper_id=LORA) -> int:
    """An open attempt that unlocked `paper_id`, put straight into the store (no model needed)."""
    store = Store(app.config["DATABASE"])
    attempt_id = store.add_attempt("ASR on a phone", "full fine-tuning", BOTTLENECK, None)
    store.add_unlocks(attempt_id, [(paper_id, 0.9, "fits the bottleneck")])
    store.close()
    return attempt_id


def unlock_row(app, paper_id=LORA) -> dict:
    return next(r for r in Store(app.config["DATABASE"]).queue("all") if r["paper_id"] == paper_id)


def attempt_count(app) -> int:
    return len(Store(app.config["DATABASE"]).attempts())


def is_sentence(message: str) -> bool:
    return message[:1].isupper() and message.endswith(".") and "Traceback" not in message


def make_app(web_db, **web):
    settings = config.Settings()
    settings.storage.db = web_db
    for key, value in web.items():
        setattr(settings.web, key, value)
    return create_app({"SETTINGS": settings, "TESTING": True})


@pytest.fixture
def locked_app(web_db, tmp_path, monkeypatch):
    """The app as served beyond loopback: a password is set."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRIAGE_CONFIG", raising=False)
    monkeypatch.delenv("TRIAGE_SECRET_KEY", raising=False)
    monkeypatch.setenv("TRIAGE_WEB_PASSWORD", "correct horse")
    return create_app({"DATABASE": web_db, "TESTING": True})


def form_token(client) -> str:
    return client.get("/login").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]


def login(client, password="correct horse", next_=""):
    return client.post("/login", data={"csrf_token": form_token(client), "password": password, "next": next_})


# --- bodies: a schema, every refusal a 400 with a sentence -----------------------------------


@pytest.mark.parametrize("body", [[1, 2], "str", 5, True, None])
def test_read_body_that_is_not_an_object_is_a_400(client, app, body):
    queued(app)
    resp = client.post(
        f"/api/queue/{LORA}/read",
        data=json.dumps(body),
        content_type="application/json",
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert resp.status_code == 400 and is_sentence(resp.get_json()["error"])
    assert "JSON object" in resp.get_json()["error"]
    assert unlock_row(app)["read_at"] is None


@pytest.mark.parametrize("note", [5, ["x"], {"a": 1}, True])
def test_read_note_that_is_not_a_string_is_a_400(client, app, note):
    queued(app)
    resp = client.post(
        f"/api/queue/{LORA}/read", json={"note": note}, headers={"X-CSRFToken": csrf_token(client)}
    )
    assert resp.status_code == 400 and resp.get_json()["error"] == "The note must be a string."
    assert unlock_row(app)["read_at"] is None


def test_attempt_body_fields_are_typed_and_unknown_keys_named(client):
    headers = {"X-CSRFToken": csrf_token(client)}
    typed = client.post(
        "/api/attempts", json={"problem": 5, "tried": "t", "bottleneck": BOTTLENECK}, headers=headers
    )
    assert typed.status_code == 400 and typed.get_json()["error"] == "The problem must be a string."
    extra = client.post(
        "/api/attempts",
        json={"problem": "p", "tried": "t", "bottleneck": BOTTLENECK, "bottlenek": "x"},
        headers=headers,
    )
    assert extra.status_code == 400 and "Unknown field 'bottlenek'" in extra.get_json()["error"]
    surrogate = client.post(
        f"/api/queue/{LORA}/read",
        data='{"note": "\\ud800"}',
        content_type="application/json",
        headers=headers,
    )
    assert surrogate.status_code == 400 and "unpaired surrogate" in surrogate.get_json()["error"]
    form = client.post(f"/api/queue/{LORA}/read", data={"note": "x"}, headers=headers)
    assert form.status_code == 400 and "Send the body as JSON" in form.get_json()["error"]


def test_json_nested_5000_deep_is_a_400(client, app):
    queued(app)
    headers = {"X-CSRFToken": csrf_token(client)}
    deep = "[" * 5000 + "]" * 5000
    for url in ("/api/attempts", f"/api/queue/{LORA}/read"):
        resp = client.post(url, data=deep, content_type="application/json", headers=headers)
        assert resp.status_code == 400 and resp.get_json()["error"] == "The JSON body nests too deeply."
    nested_note = '{"note": ' + deep + "}"
    resp = client.post(
        f"/api/queue/{LORA}/read", data=nested_note, content_type="application/json", headers=headers
    )
    assert resp.status_code == 400


@pytest.mark.parametrize("attempt_id", [str(2**63), str(2**64), "9" * 5000])
def test_attempt_ids_beyond_sqlite_integers_are_not_found(client, app, attempt_id):
    queued(app)
    page = client.get(f"/attempts/{attempt_id}")
    assert page.status_code == 404 and "There is nothing at this address." in page.get_data(as_text=True)
    close = client.post(
        f"/attempts/{attempt_id}/close", data={"csrf_token": csrf_token(client), "outcome": "paper"}
    )
    assert close.status_code == 404
    assert client.get(f"/attempts/{2**63 - 1}").status_code == 404  # in range, just absent
    long_id = client.post(
        "/api/queue/" + "1" * 101 + "/read", json={}, headers={"X-CSRFToken": csrf_token(client)}
    )
    assert long_id.status_code == 404


# --- limits: request size and field length from [web] --------------------------------------


def test_a_22_mb_bottleneck_is_refused_before_it_is_read(client, app):
    huge = "blocked on memory " * (22 * 1024 * 1024 // 18)
    resp = client.post(
        "/attempts",
        data={"csrf_token": csrf_token(client), "problem": "p", "tried": "t", "bottleneck": huge},
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 413 and "256 KiB" in html and "[web] max_request_kib" in html
    assert len(html) < 20_000 and attempt_count(app) == 0
    api = client.post(
        "/api/attempts",
        json={"problem": "p", "tried": "t", "bottleneck": huge},
        headers={"X-CSRFToken": csrf_token(client)},
    )
    assert api.status_code == 413 and "max_request_kib" in api.get_json()["error"]


def test_request_limit_comes_from_config(web_db):
    client = make_app(web_db, max_request_kib=4).test_client()
    token = csrf_token(client)
    ok = client.post("/attempts", data={"csrf_token": token, "bottleneck": "x" * 1000})
    assert ok.status_code == 400  # read and refused as too vague: under the limit
    big = client.post("/attempts", data={"csrf_token": token, "bottleneck": "x" * 5000})
    assert big.status_code == 413 and "4 KiB" in big.get_data(as_text=True)


def test_over_long_field_is_refused_with_the_form_kept(client, app):
    long_bottleneck = BOTTLENECK + " and more" * 250
    resp = client.post(
        "/attempts",
        data={
            "csrf_token": csrf_token(client),
            "problem": "Speech recognition on a small device",
            "tried": "Fine-tuned all of Whisper",
            "bottleneck": long_bottleneck,
        },
    )
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert f"The bottleneck is {len(long_bottleneck):,} characters long; at most 2,000 are accepted" in html
    assert "[web] max_field_chars" in html
    assert "Speech recognition on a small device</textarea>" in html and long_bottleneck in html
    assert 'maxlength="2000"' in html and attempt_count(app) == 0
    queued(app)
    note = client.post(
        f"/api/queue/{LORA}/read", json={"note": "n" * 2001}, headers={"X-CSRFToken": csrf_token(client)}
    )
    assert note.status_code == 400 and "max_field_chars" in note.get_json()["error"]
    form_note = client.post(
        f"/queue/{LORA}/read", data={"csrf_token": csrf_token(client), "note": "n" * 2001}
    )
    assert form_note.status_code == 400 and unlock_row(app)["read_at"] is None


def test_field_limit_comes_from_config(web_db):
    client = make_app(web_db, max_field_chars=100).test_client()
    resp = client.post(
        "/attempts",
        data={"csrf_token": csrf_token(client), "problem": "p" * 101, "tried": "t", "bottleneck": BOTTLENECK},
    )
    assert resp.status_code == 400 and "at most 100 are accepted" in resp.get_data(as_text=True)


# --- login redirect: same-origin paths only ---------------------------------------------------


@pytest.mark.parametrize(
    "target",
    ["/\n/evil.example", "/\t/evil.example", "/\r\n/evil.example", "/\\evil.example", "//evil.example"],
)
def test_login_next_never_leaves_the_site(locked_app, target):
    client = locked_app.test_client()
    resp = login(client, next_=target)
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    page = client.get("/login", query_string={"next": target})
    assert page.status_code == 200 and "evil.example" not in page.get_data(as_text=True)


def test_login_next_keeps_a_local_path(locked_app):
    resp = login(locked_app.test_client(), next_="/queue?state=read")
    assert resp.headers["Location"] == "/queue?state=read"


# --- Host check (DNS rebinding) ---------------------------------------------------------------


def test_only_configured_host_names_are_answered(client, app):
    queued(app)
    for host in ("evil.example", "evil.example:8080", "localhost.evil.example", "127.0.0.1.evil.example"):
        resp = client.get("/api/queue", headers={"Host": host})
        assert resp.status_code == 400 and "[web] allowed_hosts" in resp.get_data(as_text=True)
        assert "Whisper" not in resp.get_data(as_text=True)
    for host in ("localhost", "localhost:8080", "127.0.0.1:8080", "[::1]:8080", "LOCALHOST."):
        assert client.get("/api/queue", headers={"Host": host}).status_code == 200, host
    token = csrf_token(client)
    rebound = client.post(
        f"/api/queue/{LORA}/read", json={}, headers={"Host": "evil.example:8080", "X-CSRFToken": token}
    )
    assert rebound.status_code == 400 and unlock_row(app)["read_at"] is None


def test_allowed_hosts_from_config_and_the_bind_address(web_db):
    app = make_app(web_db, allowed_hosts=["triage.lan"])
    client = app.test_client()
    assert client.get("/api/queue", headers={"Host": "triage.lan:8080"}).status_code == 200
    assert client.get("/api/queue", headers={"Host": "localhost"}).status_code == 400
    guard.allow_host(app, "192.168.1.5")
    guard.allow_host(app, "0.0.0.0")  # a wildcard bind adds no name
    assert client.get("/api/queue", headers={"Host": "192.168.1.5:8080"}).status_code == 200
    assert client.get("/api/queue", headers={"Host": "0.0.0.0:8080"}).status_code == 400


def test_allowed_hosts_refuses_a_url_in_config(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[web]\nallowed_hosts = ["http://triage.lan:8080"]\n')
    with pytest.raises(Exception, match=r"c\.toml: \[web\] allowed_hosts takes bare host names"):
        config.load(cfg)


# --- sessions: revocable, bound to the password, not mintable from the database ----------------


def test_logout_revokes_the_cookie(locked_app):
    client = locked_app.test_client()
    assert login(client).status_code == 302
    taken = client.get_cookie("session").value
    assert client.get("/queue").status_code == 200
    token = csrf_token(client)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    thief = locked_app.test_client()
    thief.set_cookie("session", taken)
    resp = thief.get("/queue")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert thief.get("/api/queue").status_code == 401


def test_sessions_last_session_days(web_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRIAGE_WEB_PASSWORD", "correct horse")
    settings = config.load(None, web_db)
    settings.web.session_days = 7
    app = create_app({"SETTINGS": settings, "TESTING": True})
    client = app.test_client()
    logged = login(client)
    assert logged.status_code == 302 and client.get("/queue").status_code == 200
    expires = client.get_cookie("session").expires
    assert dt.timedelta(days=6.9) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=7)
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(0)
    assert client.get("/queue").status_code == 302


def test_password_change_voids_earlier_cookies(locked_app, web_db, monkeypatch):
    client = locked_app.test_client()
    login(client)
    taken = client.get_cookie("session").value
    monkeypatch.setenv("TRIAGE_WEB_PASSWORD", "battery staple")
    changed = create_app({"DATABASE": web_db, "TESTING": True}).test_client()
    changed.set_cookie("session", taken)
    assert changed.get("/queue").status_code == 302
    assert login(changed, "battery staple").status_code == 302 and changed.get("/queue").status_code == 200


def test_the_key_in_the_database_cannot_mint_a_login(locked_app, web_db):
    with sqlite3.connect(web_db) as conn:
        stored = conn.execute("SELECT value FROM meta WHERE key = 'secret_key'").fetchone()[0]
    forger = Flask("forger")
    forger.secret_key = stored
    serializer = SecureCookieSessionInterface().get_signing_serializer(forger)
    client = locked_app.test_client()
    for forged in ({"logged_in": True}, {"sid": "guessed"}):
        client.set_cookie("session", serializer.dumps(forged))
        assert client.get("/queue").status_code == 302


def test_wrong_passwords_are_throttled_per_address(locked_app):
    throttle = locked_app.extensions["login_throttle"]
    now = [1000.0]
    throttle.clock = lambda: now[0]
    client = locked_app.test_client()
    statuses = [login(client, "guess").status_code for _ in range(20)]
    assert statuses[:5] == [401] * 5 and set(statuses[5:]) == {429}
    refused = login(client)  # even the right password waits its turn
    assert refused.status_code == 429 and "try again in 1 second." in refused.get_data(as_text=True)
    elsewhere = locked_app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert login(elsewhere).status_code == 302
    now[0] += 2
    assert login(client).status_code == 302
    assert login(locked_app.test_client(), "guess").status_code == 401  # the success reset the count


def test_waits_double_up_to_a_cap():
    throttle = guard.LoginThrottle(clock=lambda: 0.0)
    waits = []
    for _ in range(20):
        throttle.failed("a")
        waits.append(throttle.wait("a"))
    assert waits[:4] == [0.0] * 4 and waits[4:9] == [1.0, 2.0, 4.0, 8.0, 16.0]
    assert waits[-1] == guard.LoginThrottle.MAX_WAIT and throttle.wait("b") == 0.0


# --- files and cookies ------------------------------------------------------------------------


def test_database_files_are_created_private(tmp_path):
    path = tmp_path / "new.db"
    store = Store(path)
    store.init()
    store.meta_default("secret_key", "k")
    for name in ("new.db", "new.db-wal", "new.db-shm"):
        assert stat.S_IMODE(os.stat(tmp_path / name).st_mode) == 0o600, name
    store.close()


def test_the_app_makes_an_existing_database_private(web_db):
    os.chmod(web_db, 0o644)
    make_app(web_db)
    assert stat.S_IMODE(os.stat(web_db).st_mode) == 0o600


def test_cookies_are_secure_over_https_only(app, web_db):
    def cookie(app, **kw) -> str:
        resp = app.test_client().get("/api/csrf", **kw)
        return next(v for k, v in resp.headers.items() if k == "Set-Cookie" and v.startswith("session="))

    assert "Secure" in cookie(app, base_url="https://localhost")
    assert "Secure" not in cookie(app) and "HttpOnly" in cookie(app)
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "192.0.2.1"}
    assert "Secure" not in cookie(app, headers=forwarded)  # no proxy is trusted by default
    assert "Secure" in cookie(make_app(web_db, proxy_hops=1), headers=forwarded)


def test_serve_behind_a_proxy_needs_a_password(runner, store, tmp_path, monkeypatch):
    monkeypatch.delenv("TRIAGE_WEB_PASSWORD", raising=False)
    cfg = tmp_path / "config.toml"
    cfg.write_text("[web]\nproxy_hops = 1\n")
    result = runner.invoke(runner.cli, ["--config", str(cfg), "serve", "--port", "0", "--no-schedule"])
    assert result.exit_code == 2 and "proxy_hops" in result.output and "TRIAGE_WEB_PASSWORD" in result.output
