"""The digest email, received by a real local SMTP server: parts, subject, counts, the gate, escaping."""

import datetime as dt
import re
from email import policy
from email.parser import BytesParser

import pytest

from tests.support.smtp import SMTPServer, free_port
from triage import digest
from triage.papers import Paper

DAY = "2026-03-31"
LOCKED_SENTENCE = "Our quokka estimator whispers seventeen baselines into the critic."
UNLOCKED_ABSTRACT = (
    "We bound the variance as $O(n^2)$ & <b>tight</b> under trust regions for policy gradients."
)
BOTTLENECK = "My policy gradient estimates are so noisy that training diverges after a few hundred episodes"
SCRIPT_TITLE = "<script>alert(1)</script> Natural policy gradients with trust regions"


@pytest.fixture
def seeded(store):
    papers = [
        Paper(
            id="2603.10001",
            title="Variance reduction for REINFORCE policy gradients",
            abstract="We reduce the variance of the REINFORCE policy gradient estimator. " + LOCKED_SENTENCE,
            published=DAY,
            categories=["cs.LG"],
            source="test",
        ),
        Paper(
            id="2603.10002",
            title=SCRIPT_TITLE,
            abstract=UNLOCKED_ABSTRACT,
            published=DAY,
            categories=["cs.LG", "cs.AI"],
            source="test",
        ),
        Paper(
            id="2603.10003",
            title="A benchmark of multilingual question answering",
            abstract="We release a benchmark of questions in 40 languages and evaluate existing models.",
            published=DAY,
            categories=["cs.CL"],
            source="test",
        ),
        Paper(
            id="2603.10004",
            title="Convolutional networks for medical images",
            abstract="A convolutional neural network segments tumours in MRI scans.",
            published=DAY,
            categories=["cs.CV"],
            source="test",
        ),
        Paper(
            id="2603.09999",
            title="An older paper on policy gradients",
            abstract="Not announced today.",
            published="2026-03-30",
            categories=["cs.LG"],
            source="test",
        ),
    ]
    store.upsert_papers(papers)
    store.replace_topics(
        [
            {
                "id": 1,
                "label": "policy gradient variance",
                "onset": "2026-01",
                "age_days": 89,
                "hype": True,
                "active": True,
                "size": 3,
                "as_of": DAY,
            },
            {
                "id": 2,
                "label": "multilingual benchmarks",
                "onset": "2019-05",
                "age_days": 2500,
                "hype": False,
                "active": True,
                "size": 1,
                "as_of": DAY,
            },
        ],
        {"2603.10001": 1, "2603.10002": 1, "2603.09999": 1, "2603.10003": 2},
    )
    attempt = store.add_attempt("Train a robot arm with RL", "REINFORCE with a baseline", BOTTLENECK, None)
    store.add_unlocks(attempt, [("2603.10002", 0.6, "similarity 0.60 to your bottleneck")])
    return store


def _parts(msg):
    return {part.get_content_type(): part.get_content() for part in msg.walk() if not part.is_multipart()}


def _write_config(path, port, extra=""):
    path.write_text(
        '[digest]\nto = ["reader@example.org"]\nfrom = "triage@example.org"\nsmtp_host = "127.0.0.1"\n'
        f"smtp_port = {port}\n{extra}"
    )


def test_received_digest_has_both_parts_counts_and_keeps_the_gate(seeded, mail_settings, smtp_server):
    message_id = digest.deliver(seeded, mail_settings, DAY)  # the attempt was logged today: streak 1

    assert len(smtp_server.received) == 1
    assert smtp_server.received[0].rcpt_tos == ["reader@example.org"]
    msg = smtp_server.messages[0]
    assert msg["Message-ID"] == message_id
    assert msg.get_content_type() == "multipart/alternative"
    assert msg["Subject"] == f"paper-triage {DAY}: 4 new papers, 50% young topics, 2 for your bottleneck"
    parts = _parts(msg)
    assert set(parts) == {"text/plain", "text/html"}
    text, html = parts["text/plain"], parts["text/html"]

    assert "cs.LG: 2" in text and "cs.AI: 1" in text and "cs.CL: 1" in text and "other: 1" in text
    assert "policy gradient variance: 2 months, HYPE" in text
    assert "multilingual benchmarks: 6 years" in text
    # The locked paper is named, with a link to log an attempt, but its abstract never leaves the gate.
    assert "Variance reduction for REINFORCE policy gradients" in text
    assert "http://127.0.0.1:8080/attempt" in text
    for part in (text, html):
        assert "quokka" not in part
        assert "Not announced today" not in part
    # The unlocked one may show its abstract, escaped in HTML.
    assert UNLOCKED_ABSTRACT in text
    assert "$O(n^2)$ &amp; &lt;b&gt;tight&lt;/b&gt;" in html
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Natural policy gradients" in html
    assert not re.search(r"<img[^>]*src=[\"']?https?:", html, re.I)
    assert not re.search(r"<link[^>]*stylesheet|@import|@font-face", html, re.I)
    assert "Read today: 0 of 5" in text and "Streak: 1 day with an attempt" in text
    assert "1 unlocked paper waiting" in text

    fundamental = digest.fundamental_of_the_day(dt.date(2026, 3, 31))
    assert f"FUNDAMENTAL OF THE DAY: {fundamental.name}" in text
    assert fundamental.exercise in text
    assert fundamental.references[0].link in html

    record = seeded.digest_record(DAY)
    assert record["message_id"] == message_id and record["sent_at"]


def test_fundamental_of_the_day_rotates_by_date():
    days = [dt.date(2026, 3, 31) + dt.timedelta(days=i) for i in range(2)]
    first, second = (digest.fundamental_of_the_day(d) for d in days)
    assert first != second
    assert digest.fundamental_of_the_day(days[0]) == first


def test_no_open_attempt_and_no_topics(store, settings):
    store.upsert_papers(
        [Paper(id="2603.20001", title="A paper", abstract="Text.", published=DAY, source="t")]
    )
    d = digest.compose(store, settings, DAY)
    assert d.subject == f"paper-triage {DAY}: 1 new paper, topic ages unknown, no open bottleneck"
    assert "No open attempt" in d.text
    assert "<html" in digest.render_preview(store, settings, DAY)


def test_smtp_down_then_back_sends_exactly_once(seeded, runner, tmp_path):
    server = SMTPServer()  # not started: nothing listens on its port
    _write_config(tmp_path / "config.toml", server.port)

    down = runner.invoke(runner.cli, ["digest", "--date", DAY, "--send"])
    assert down.exit_code == 1
    error = down.stderr.strip()
    assert error.startswith("Error: Could not send the digest") and f"127.0.0.1:{server.port}" in error
    assert "not marked sent" in error and len(error.splitlines()) == 1
    record = seeded.digest_record(DAY)
    assert record["sent_at"] is None and record["tries"] == 1 and record["last_error"]

    server.start()
    try:
        back = runner.invoke(runner.cli, ["digest", "--date", DAY, "--send"])
        assert back.exit_code == 0, back.output
        assert len(server.received) == 1
        again = runner.invoke(runner.cli, ["digest", "--date", DAY, "--send"])
        assert again.exit_code == 0
        assert "sent already; nothing sent" in again.stdout
        assert len(server.received) == 1
    finally:
        server.stop()
    assert seeded.digest_record(DAY)["message_id"] == server.messages[0]["Message-ID"]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_uses_the_password_from_the_environment_only(seeded, runner, tmp_path, monkeypatch):
    server = SMTPServer(login=("reader", "s3cret"))
    _write_config(tmp_path / "config.toml", server.port, 'smtp_user = "reader"\n')
    monkeypatch.delenv("TRIAGE_SMTP_PASSWORD", raising=False)
    server.start()
    try:
        missing = runner.invoke(runner.cli, ["digest", "--send"])
        assert missing.exit_code == 2 and "TRIAGE_SMTP_PASSWORD" in missing.stderr
        monkeypatch.setenv("TRIAGE_SMTP_PASSWORD", "wrong")
        refused = runner.invoke(runner.cli, ["digest", "--send"])
        assert refused.exit_code == 1 and "refused the login" in refused.stderr
        monkeypatch.setenv("TRIAGE_SMTP_PASSWORD", "s3cret")
        ok = runner.invoke(runner.cli, ["digest", "--send"])
        assert ok.exit_code == 0, ok.output
    finally:
        server.stop()
    assert len(server.received) == 1


def test_out_writes_a_parseable_eml(seeded, runner, tmp_path):
    out = tmp_path / "new" / "out"  # made on the way
    result = runner.invoke(runner.cli, ["digest", "--out", str(out)])  # default day: the newest held
    assert result.exit_code == 0, result.output
    eml = out / f"digest-{DAY}.eml"
    msg = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
    assert msg["Subject"].startswith(f"paper-triage {DAY}: 4 new papers")
    assert set(_parts(msg)) == {"text/plain", "text/html"}
    assert seeded.digest_record(DAY) is None  # writing a file is not sending


def test_user_mistakes_exit_2(seeded, runner, tmp_path):
    (tmp_path / "config.toml").write_text(f"[digest]\nsmtp_port = {free_port()}\n")
    no_to = runner.invoke(runner.cli, ["digest", "--send"])
    assert no_to.exit_code == 2 and "[digest] to is empty" in no_to.stderr
    both = runner.invoke(runner.cli, ["digest", "--send", "--out", str(tmp_path)])
    assert both.exit_code == 2 and "exactly one of --send or --out" in both.stderr
    bad_date = runner.invoke(runner.cli, ["digest", "--date", "31.03.2026", "--out", str(tmp_path)])
    assert bad_date.exit_code == 2 and "--date" in bad_date.stderr
    (tmp_path / "a-file").write_text("")
    not_a_folder = runner.invoke(runner.cli, ["digest", "--out", str(tmp_path / "a-file")])
    assert not_a_folder.exit_code == 2 and "a-file' is a file" in not_a_folder.stderr


def test_bad_digest_config_is_refused(tmp_path):
    from triage import config
    from triage.errors import UserError

    p = tmp_path / "c.toml"
    p.write_text('[digest]\nsend_at = "7.30"\n')
    with pytest.raises(UserError, match=r"\[digest\] send_at"):
        config.load(p)
    p.write_text("[digest]\nstarttls = true\nssl = true\n")
    with pytest.raises(UserError, match="exclusive"):
        config.load(p)


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # implicit TLS: see SMTPServer
def test_tls_sending_verifies_the_server_and_logs_in(seeded, runner, tmp_path, monkeypatch, tls_cert, mode):
    cert, context = tls_cert
    server = SMTPServer(login=("reader", "s3cret"), tls=mode, context=context)
    server.start()
    try:
        _write_config(tmp_path / "config.toml", server.port, f'smtp_user = "reader"\n{mode} = true\n')
        monkeypatch.setenv("TRIAGE_SMTP_PASSWORD", "s3cret")
        untrusted = runner.invoke(runner.cli, ["digest", "--send"])  # a self-signed cert is not trusted
        assert untrusted.exit_code == 1 and server.received == []
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # trust it, as a private CA would be
        sent = runner.invoke(runner.cli, ["digest", "--send"])
        assert sent.exit_code == 0, sent.output
        assert len(server.received) == 1
    finally:
        server.stop()


@pytest.mark.parametrize("quit_reply", ["421 Service closing, try later", "554 Transaction failed"])
def test_accepted_at_data_is_sent_even_if_quit_fails(seeded, runner, tmp_path, quit_reply):
    """A server that failed at QUIT after taking the message used to get the digest again on every rerun."""
    server = SMTPServer(quit_reply=quit_reply)
    _write_config(tmp_path / "config.toml", server.port)
    server.start()
    try:
        first = runner.invoke(runner.cli, ["digest", "--date", DAY, "--send"])
        assert first.exit_code == 0, first.output
        again = runner.invoke(runner.cli, ["digest", "--date", DAY, "--send"])
        assert again.exit_code == 0 and "sent already; nothing sent" in again.stdout
    finally:
        server.stop()
    assert len(server.received) == 1
    assert seeded.digest_record(DAY)["sent_at"]
