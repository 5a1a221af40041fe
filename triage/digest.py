"""The daily digest email: compose it (HTML + plain text) and send it by SMTP exactly once a day.

What it says mirrors the daily page: how many new papers per category, how many sit on young
topics, which papers fit each open bottleneck (locked ones by title only: the gate decides what
is read, not the inbox), the reading queue, budget and streak, and one fundamental to practise.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import smtplib
import ssl
from collections import Counter
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from triage import fundamentals, gate, lock
from triage.config import Settings
from triage.embed import Embedder
from triage.errors import OperationalError, UserError
from triage.papers import arxiv_url
from triage.topics import age_text

SMTP_TIMEOUT = 30  # seconds for connect and each SMTP command
SHORT_ABSTRACT = 300  # characters of an unlocked paper's abstract shown in the mail
YOUNGEST_TOPICS = 3  # the youngest topics of the day named in the mail
QUEUE_SHOWN = 5  # queued papers listed; the mail counts the rest
# Paths in the web app the mail links to (relative to [digest] base_url).
ATTEMPT_PATH = "/attempts/new"
QUEUE_PATH = "/queue"
# Long subjects and Message-IDs stay on one line: folded ones come back with a leading space
# in some readers. 998 is RFC 5322's hard limit.
_POLICY = policy.default.clone(max_line_length=998)
logger = logging.getLogger("triage.digest")

_env = Environment(
    loader=PackageLoader("triage", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass
class Digest:
    day: str
    subject: str
    text: str
    html: str


def fundamental_of_the_day(day: dt.date) -> fundamentals.Fundamental:
    """Rotate through the catalogue by date, so every reader gets the same one on the same day."""
    entries = fundamentals.catalogue()
    return entries[day.toordinal() % len(entries)]


def _shorten(text: str, limit: int = SHORT_ABSTRACT) -> str:
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def _link(settings: Settings, path: str) -> str:
    return settings.digest.base_url.rstrip("/") + path


def _context(store, settings: Settings, day: str, today: dt.date, embedder: Embedder | None) -> dict:
    papers = list(store.iter_papers(since=day, until=day))
    ids = [p.id for p in papers]
    followed = settings.arxiv.categories
    per_category = Counter(c for p in papers for c in p.categories if c in followed)
    categories = [(c, per_category[c]) for c in followed]
    other = sum(1 for p in papers if not set(p.categories) & set(followed))
    if other:
        categories.append(("other", other))

    topic_of = store.topic_for(ids)
    known = [t for t in topic_of.values() if t["hype"] is not None]
    young_share = round(100 * sum(1 for t in known if t["hype"]) / len(papers)) if known and papers else None
    today_per_topic = Counter(t["id"] for t in topic_of.values())
    distinct = {t["id"]: t for t in topic_of.values() if t["age_days"] is not None}
    youngest = [
        {
            "label": t["label"],
            "age": age_text(t["onset"], t["age_days"]),
            "hype": t["hype"],
            "today": today_per_topic[t["id"]],
        }
        for t in sorted(distinct.values(), key=lambda t: t["age_days"])[:YOUNGEST_TOPICS]
    ]

    unlocked = store.unlocked_ids(ids)
    bottlenecks = []
    open_attempts = store.attempts(open_only=True)
    if open_attempts and papers:
        embedder = embedder or Embedder(settings.embeddings, store)
    for a in open_attempts:
        fits = (
            gate.rank(
                store,
                embedder,
                settings,
                gate.Attempt.of(a),
                until=day,
                day=day,
                relevant_only=True,
                limit=settings.digest.per_bottleneck,
            )
            if papers
            else []
        )
        bottlenecks.append(
            {
                "id": a["id"],
                "bottleneck": a["bottleneck"],
                "papers": [
                    {
                        "id": u.paper.id,
                        "title": u.paper.title,
                        "reason": u.reason,
                        "locked": u.paper.id not in unlocked,
                        # Only an unlocked paper's abstract may leave the gate.
                        "abstract": None if u.paper.id not in unlocked else _shorten(u.paper.abstract),
                        "url": arxiv_url(u.paper.id),
                    }
                    for u in fits
                ],
            }
        )
    relevant = len({p["id"] for b in bottlenecks for p in b["papers"]})

    queued = gate.queue(store, "queued")
    budget = gate.budget(store, settings, today)
    fundamental = fundamental_of_the_day(dt.date.fromisoformat(day))

    young = "topic ages unknown" if young_share is None else f"{young_share}% young topics"
    if not open_attempts:
        fit = "no open bottleneck"
    elif len(open_attempts) == 1:
        fit = f"{relevant} for your bottleneck"
    else:
        fit = f"{relevant} for your {len(open_attempts)} bottlenecks"
    plural = "" if len(papers) == 1 else "s"
    subject = f"paper-triage {day}: {len(papers)} new paper{plural}, {young}, {fit}"

    return {
        "subject": subject,
        "day": day,
        "total": len(papers),
        "categories": categories,
        "young_share": young_share,
        "max_age_months": settings.hype.max_topic_age_months,
        "youngest": youngest,
        "bottlenecks": bottlenecks,
        "queued": [
            {"id": r["paper_id"], "title": r["paper"].title, "reason": r["reason"]}
            for r in queued[:QUEUE_SHOWN]
        ],
        "queued_count": len(queued),
        "budget": budget,
        "streak": gate.streak(store, today),
        "fundamental": fundamental,
        "attempt_url": _link(settings, ATTEMPT_PATH),
        "queue_url": _link(settings, QUEUE_PATH),
        "home_url": _link(settings, "/"),
    }


def compose(
    store, settings: Settings, day: str, today: dt.date | None = None, embedder: Embedder | None = None
) -> Digest:
    """The digest of announcement day `day` (ISO date); budget and streak as of `today`."""
    ctx = _context(store, settings, day, today or dt.date.today(), embedder)
    return Digest(
        day=day,
        subject=ctx["subject"],
        text=_env.get_template("digest.txt").render(ctx),
        html=_env.get_template("digest.html").render(ctx),
    )


def render_preview(store, settings: Settings, day: str) -> str:
    """The HTML the email would carry for `day`, for the web app's preview page."""
    return compose(store, settings, day).html


def message(settings: Settings, digest: Digest) -> EmailMessage:
    """multipart/alternative: the plain text first, the HTML preferred by mail clients that can."""
    sender = settings.digest.from_
    msg = EmailMessage(policy=_POLICY)
    msg["Subject"] = digest.subject
    msg["From"] = sender
    msg["To"] = ", ".join(settings.digest.to) or "undisclosed-recipients:;"
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid("digest", domain=sender.rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(digest.text)
    msg.add_alternative(digest.html, subtype="html")
    return msg


def write_eml(settings: Settings, digest: Digest, out_dir: str | os.PathLike) -> Path:
    """Write the message as digest-DAY.eml into a folder (made if missing) instead of sending it."""
    folder = Path(out_dir)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"--out {folder} cannot be used as a folder ({e.strerror}).") from None
    path = folder / f"digest-{digest.day}.eml"
    path.write_bytes(message(settings, digest).as_bytes())
    return path


def smtp_send(settings: Settings, msg: EmailMessage) -> None:
    """Hand the message to the configured server; an OperationalError in one sentence if it does not take it."""
    cfg = settings.digest
    password = os.environ.get("TRIAGE_SMTP_PASSWORD")
    if cfg.smtp_user and not password:
        raise UserError(
            f"[digest] smtp_user is set in {settings.source} but TRIAGE_SMTP_PASSWORD is not in the environment."
        )
    where = f"{cfg.smtp_host}:{cfg.smtp_port}"
    try:
        if cfg.ssl:
            server = smtplib.SMTP_SSL(
                cfg.smtp_host, cfg.smtp_port, timeout=SMTP_TIMEOUT, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=SMTP_TIMEOUT)
        try:
            if cfg.starttls:
                server.starttls(context=ssl.create_default_context())
            if cfg.smtp_user:
                server.login(cfg.smtp_user, password)
            server.send_message(msg, to_addrs=cfg.to)
        except BaseException:
            server.close()
            raise
    except smtplib.SMTPAuthenticationError as e:
        raise OperationalError(
            f"The SMTP server {where} refused the login of [digest] smtp_user {cfg.smtp_user!r} ({e.smtp_code})."
        ) from None
    except (smtplib.SMTPException, OSError) as e:
        raise OperationalError(
            f"Could not send the digest through SMTP server {where} ({e or type(e).__name__})."
        ) from None
    _quit(server)


def _quit(server: smtplib.SMTP) -> None:
    """Say goodbye. The server took the message at DATA, so it is sent whatever QUIT answers."""
    try:
        code, reply = server.quit()
        problem = None if code == 221 else f"{code} {reply.decode(errors='replace')}"
    except (smtplib.SMTPException, OSError) as e:
        problem = str(e) or type(e).__name__
    server.close()
    if problem:
        logger.warning(
            "The SMTP server accepted the digest but failed at QUIT (%s); it counts as sent.", problem
        )


def deliver(
    store, settings: Settings, day: str, today: dt.date | None = None, embedder: Embedder | None = None
) -> str | None:
    """Send the digest of `day` unless it was sent already; returns its Message-ID, or None if it was.

    The day is marked sent only after the server accepted the message, so a failed run is retried
    by the next one, and a run after a sent day sends nothing.
    """
    if not settings.digest.to:
        raise UserError(
            f"[digest] to is empty (config: {settings.source}): list the addresses to send the digest to."
        )
    with lock.hold(store, "digest") as mine:
        if not mine:
            raise OperationalError(
                f"Another process ({mine.holder}) is sending a digest right now; {day} was not sent twice."
            )
        record = store.digest_record(day)
        if record and record["sent_at"]:
            return None
        digest = compose(store, settings, day, today, embedder)
        msg = message(settings, digest)
        try:
            smtp_send(settings, msg)
        except OperationalError as e:
            store.digest_failed(day, digest.subject, str(e))
            raise OperationalError(
                f"{str(e).rstrip('.')}; the digest of {day} is not marked sent, so the next run retries."
            ) from None
        store.digest_sent(day, digest.subject, msg["Message-ID"], list(settings.digest.to))
        return msg["Message-ID"]
