"""Build one recipient's digest from the registered sections, and render it as an email."""

import gc
import logging
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db import DatabaseError
from django.template.loader import render_to_string
from django.urls import reverse

from partnerships.later import Later, later_of, parts, read_rows

from .facts import remember
from .schedule import DigestSchedule, period_label
from .sections import batch_scope, build_scope, memo, record_news, sections
from .selectors import followed_facts, followed_facts_of
from .windows import window_reason

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "digests.unsubscribe"


@dataclass
class DigestContent:
    user: object
    schedule: DigestSchedule
    partnership_count: int
    news: list = field(default_factory=list)  # SectionData with something to report, in order
    summary: list = field(default_factory=list)  # the partnership table and other summaries

    @property
    def has_news(self):
        return bool(self.news)

    @property
    def update_count(self):
        return sum(s.count for s in self.news)


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector off for the block, as it was after.

    A digest reads tens of thousands of rows that live until it is built; while they do, the
    collector promotes them and then sweeps the whole process heap for cycles (twice per
    executive's digest, ~90 ms of a ~0.4 s build). The rows hold no cycles and reference
    counting frees them when the build ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _followed_key(user_pk):
    return ("digests.followed", user_pk)


def followed(user):
    """[PartnershipFacts] of what the user follows, read once in a batch of digests."""
    return memo(_followed_key(user.pk), lambda: followed_facts(user), shared=True)


@contextmanager
def digest_batch(users):
    """``build_digest`` for these users, one after another, sharing the readings of the
    partnerships they follow (``sections.batch_scope``): what one digest reads in a query of
    its own, the batch reads for all of them in one. Each digest is the same as built alone."""
    with batch_scope() as batch:
        for pk, facts in followed_facts_of(users).items():
            batch.store[_followed_key(pk)] = facts
        batch.partnership_ids = frozenset(f.pk for user in users for f in followed(user))
        yield


def build_digest(user, schedule, *, partnership_ids=None):
    """Everything the digest will say. A bounded number of queries whatever is followed."""
    facts = followed(user) if partnership_ids is None else []
    ids = [f.pk for f in facts] if partnership_ids is None else list(partnership_ids)
    content = DigestContent(user=user, schedule=schedule, partnership_count=len(ids))
    if not ids:
        return content
    week_start, week_end = schedule.bounds()
    with build_scope(), collector_paused():
        remember(facts)
        news = [s for s in sections() if s.news]
        for data in _build_all(news, user, ids, week_start, week_end):
            if data is not None:
                content.news.append(data)
        # Summaries run last: the table lists the partnerships the news is about.
        reported = Counter()
        for data in content.news:
            if data.partnership_ids is None:
                reported = None
                break
            reported.update(set(data.partnership_ids))
        record_news(reported)
        for section in (s for s in sections() if not s.news):
            data = _build(section, user, ids, week_start, week_end)
            if data is not None:
                content.summary.append(data)
    return content


def _build(section, user, ids, week_start, week_end):
    """The section's data, None, or a ``Later`` of its data when its reads can wait."""
    try:
        data = later_of(section.builder, user, ids, week_start, week_end)
    except Exception:
        # One app's broken section must not stop everyone's digest.
        logger.exception("Digest section %s failed for user %s", section.key, user.pk)
        return None
    return data if isinstance(data, Later) else _kept(data)


def _kept(data):
    return None if data is None or data.is_empty else data


def _build_all(chosen, user, ids, week_start, week_end):
    """Each section's data or None, in order. The reads of the sections that return a
    ``Later`` are made in one statement; when that fails, each alone, so that one broken
    section still leaves the others (outside a transaction: inside one, a failed statement
    fails what follows, whether read together or not)."""
    built = [_build(section, user, ids, week_start, week_end) for section in chosen]
    waiting = [data for data in built if isinstance(data, Later)]
    try:
        read = dict(parts(waiting, read_rows([q for later in waiting for q in later.reads])))
    except DatabaseError:
        logger.exception("Digest sections read together failed for user %s", user.pk)
        read = {}
    for i, data in enumerate(built):
        if not isinstance(data, Later):
            continue
        try:
            built[i] = _kept(data.finish(read[data]) if data in read else data.now())
        except Exception:
            logger.exception("Digest section %s failed for user %s", chosen[i].key, user.pk)
            built[i] = None
    return built


def absolute(url):
    if not url or url.startswith(("http://", "https://", "mailto:")):
        return url
    return settings.SITE_URL + (url if url.startswith("/") else f"/{url}")


def unsubscribe_token(user):
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT, compress=True)


def user_from_unsubscribe_token(token):
    """The user id in a token we signed, or None if it was tampered with."""
    try:
        return signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None


def unsubscribe_url(user):
    return absolute(reverse("digests:unsubscribe", args=[unsubscribe_token(user)]))


def headline(content):
    """The worst news of the digest, for its subject: the first section's that names one."""
    return next((section.headline for section in content.news if section.headline), "")


def lead(content):
    """The sentence the digest opens with: the first section's that has one."""
    return next((section.lead for section in content.news if section.lead), "")


def covered(schedule):
    """ "week 48" (the ISO week the days covered fall in), or the period for a monthly one."""
    if schedule.monthly:
        return period_label(schedule.period_start, schedule.period_end)
    return f"week {schedule.period_start.isocalendar().week}"


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str
    headers: dict


def schedule_words(schedule):
    """What a digest and its preview say of the days it covers (no query)."""
    return {
        "period": period_label(schedule.period_start, schedule.period_end),
        "week": schedule.week,
        "window_reason": window_reason(schedule),
        "covered": covered(schedule),
        "monthly": schedule.monthly,
    }


def digest_context(content, *, digest=None):
    user = content.user
    schedule = content.schedule
    return {
        "user": user,
        "name": user.first_name or user.get_full_name() or user.username,
        "content": content,
        "news": content.news,
        "summary": content.summary,
        **schedule_words(schedule),
        "headline": headline(content),
        "lead": lead(content),
        "site_url": settings.SITE_URL,
        "dashboard_url": absolute(reverse("partnerships:list")),
        "preferences_url": absolute(reverse("digests:preferences")),
        "unsubscribe_url": unsubscribe_url(user),
        "view_url": absolute(digest.get_absolute_url()) if digest and digest.pk else "",
    }


def subject_line(context, name="digest"):
    return " ".join(render_to_string(f"emails/digests/{name}_subject.txt", context).split())


def render_email(name, context):
    """A subject/text/HTML template triplet under templates/emails/digests/."""
    subject = subject_line(context, name)
    context = {**context, "subject": subject}
    return (
        subject,
        render_to_string(f"emails/digests/{name}.txt", context),
        render_to_string(f"emails/digests/{name}.html", context),
    )


def offsets_phrase(offsets):
    """[90, 30, 7] -> "90, 30 and 7"."""
    words = [str(o) for o in sorted(set(offsets), reverse=True)]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def render_digest(content, *, digest=None):
    context = digest_context(content, digest=digest)
    subject, text, html = render_email("digest", context)
    headers = {
        "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return RenderedEmail(subject, text, html, headers)
