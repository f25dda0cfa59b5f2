"""Extractors: download public sources with ``requests`` into the landing zone.

Opt-in (``pcp extract <source>``): the default build reads the bundled snapshots and never downloads.
The sources are listed in ``extract_sources.yml``. Every download:

- has a connect and a read timeout, and an overall time limit;
- is retried a bounded number of times on 429/5xx, connection errors, timeouts and truncated bodies,
  with exponential backoff, waiting at least what a ``Retry-After`` header asks (seconds or HTTP-date);
- is conditional (``If-None-Match`` / ``If-Modified-Since`` from ``var/extract/state.json``), so a
  304 lands nothing, and a 200 whose bytes equal the last download lands nothing either;
- streams to a temporary file under ``var/``, checks the length against Content-Length and the
  content type against the catalogue (an HTML error page served with 200 is refused), computes the
  sha256, and only then is renamed into ``var/landing/<table>/<date>/`` with a ``manifest.json`` entry.
A failure raises ``ExtractError`` and leaves nothing in landing.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import hashlib
import json
import os
import re
import shutil
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests
import yaml

from warehouse.core import locks
from warehouse.core.config import paths
from warehouse.core.errors import ExtractError
from warehouse.ingest import landing
from warehouse.ingest.load import sha256_of

CATALOGUE = Path(__file__).with_name("extract_sources.yml")
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "pcp-warehouse/0.1 (Police and Crime Panel performance warehouse)"
CHUNK = 1 << 16


@dataclass(frozen=True)
class Policy:
    """How hard to try. The defaults suit the real servers; tests pass small numbers."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0  # longest silence between two reads, not the whole download
    max_seconds: float = 1800.0  # the whole download of one URL, all attempts included
    max_attempts: int = 5
    backoff: float = 2.0  # first wait; doubles after each failed attempt
    max_backoff: float = 120.0
    max_retry_after: float = 600.0  # a server asking for a longer pause stops the run instead
    min_interval: float = 0.0  # polite gap between two requests of one run


@dataclass
class Fetched:
    """One URL's outcome: ``landed`` (a new file), ``not modified`` (304) or ``unchanged`` (same bytes)."""

    url: str
    status: str
    path: Path | None = None
    sha256: str | None = None
    bytes: int = 0
    attempts: int = 0

    def __str__(self) -> str:
        if self.status == "landed":
            return f"landed {self.path} ({self.bytes:,} bytes, sha256 {self.sha256[:12]}...)"
        return f"{self.status}: {self.url} (nothing new landed)"


# --- the catalogue -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    name: str
    kind: str
    table: str
    content_types: tuple[str, ...]
    spec: dict = field(default_factory=dict)

    @property
    def files(self) -> list[dict]:
        return list(self.spec.get("files") or [])

    @property
    def min_interval(self) -> float:
        return float(self.spec.get("min_interval_seconds", 0.0))


def catalogue() -> dict[str, Source]:
    doc = yaml.safe_load(CATALOGUE.read_text())
    return {
        name: Source(name, s["kind"], s["table"], tuple(s["content_types"]), s) for name, s in doc["sources"].items()
    }


def get_source(name: str) -> Source:
    sources = catalogue()
    if name not in sources:
        raise KeyError(f"no extractable source named {name!r}; known: {', '.join(sorted(sources))}")
    return sources[name]


def rebase(url: str, base_url: str | None) -> str:
    """Send ``url`` to another server (a mirror, or the test server): keep its path and query."""
    if not base_url:
        return url
    parts = urlsplit(url)
    return base_url.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")


# --- state: what was fetched last time ------------------------------------------------------------


def _read_state() -> dict:
    f = paths().extract_state
    return json.loads(f.read_text()) if f.exists() else {}


def _write_state(state: dict) -> None:
    f = paths().extract_state
    f.parent.mkdir(parents=True, exist_ok=True)
    tmp = f.with_name("." + f.name + ".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
    os.replace(tmp, f)


def _still_landed(entry: dict | None) -> bool:
    return bool(entry and entry.get("files") and all((paths().var / f).exists() for f in entry["files"]))


# --- HTTP -----------------------------------------------------------------------------------------


def retry_after_seconds(value: str | None, now: dt.datetime | None = None) -> float | None:
    """``Retry-After`` as seconds to wait: either a number of seconds or an HTTP-date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now = now or dt.datetime.now(dt.UTC)
    return max(0.0, (when - now).total_seconds())


def _one_run_at_a_time():
    """Extract runs share state.json: a second run waits for the first (an advisory file lock)."""
    return locks.exclusive(paths().extract_state.with_name(".lock"))


class _Pacer:
    """At most one request every ``interval`` seconds (a polite rate limit)."""

    def __init__(self, interval: float):
        self.interval = interval
        self.last = float("-inf")

    def wait(self) -> None:
        pause = self.last + self.interval - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        self.last = time.monotonic()


class _Retry(Exception):
    """A failed attempt worth repeating; ``wait`` is the least the server asked us to wait."""

    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.wait = wait


@dataclass
class _Download:
    tmp: Path | None  # None on 304
    sha256: str | None = None
    bytes: int = 0
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None
    attempts: int = 0


def _media_type(resp: requests.Response) -> str:
    return resp.headers.get("Content-Type", "").split(";")[0].strip().lower()


def _looks_like_html(head: bytes) -> bool:
    start = head.lstrip()[:64].lower()
    return start.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def _attempt(
    session: requests.Session,
    url: str,
    headers: dict,
    accept: tuple[str, ...],
    policy: Policy,
    deadline: float,
    dl: _Download,
) -> None:
    """One GET. Fills ``dl`` on success, raises ``_Retry`` (worth repeating) or ``ExtractError`` (not)."""
    try:
        with session.get(
            url, headers=headers, stream=True, timeout=(policy.connect_timeout, policy.read_timeout)
        ) as resp:
            if resp.status_code == 304:
                dl.tmp = None
                return
            if resp.status_code in RETRY_STATUS:
                raise _Retry(f"HTTP {resp.status_code}", retry_after_seconds(resp.headers.get("Retry-After")))
            if resp.status_code != 200:
                raise ExtractError(
                    f"{url}: HTTP {resp.status_code} {resp.reason}; expected 200 (or 304). Nothing landed."
                )
            media = _media_type(resp)
            if media not in accept:
                raise ExtractError(
                    f"{url}: served Content-Type {media or '(none)'!r}; expected one of "
                    f"{', '.join(accept)} (an HTML error page?). Nothing landed."
                )
            expected = resp.headers.get("Content-Length")
            tmp = paths().downloads / f"{uuid.uuid4().hex}.part"
            tmp.parent.mkdir(parents=True, exist_ok=True)
            h, n = hashlib.sha256(), 0
            try:
                with open(tmp, "wb") as out:
                    for chunk in resp.iter_content(CHUNK):
                        if n == 0 and "html" not in media and _looks_like_html(chunk):
                            raise ExtractError(
                                f"{url}: served an HTML page as {media!r}; expected "
                                f"{', '.join(accept)}. Nothing landed."
                            )
                        out.write(chunk)
                        h.update(chunk)
                        n += len(chunk)
                        if time.monotonic() > deadline:
                            raise ExtractError(
                                f"{url}: still downloading after {policy.max_seconds:.0f}s "
                                f"({n:,} bytes); gave up. Nothing landed."
                            )
                if expected is not None and expected.isdigit() and int(expected) != n:
                    raise _Retry(f"truncated body: {n:,} of {int(expected):,} bytes")
                if n == 0:
                    raise _Retry("empty body")
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
            dl.tmp, dl.sha256, dl.bytes, dl.content_type = tmp, h.hexdigest(), n, media
            dl.etag, dl.last_modified = resp.headers.get("ETag"), resp.headers.get("Last-Modified")
    except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as e:
        raise _Retry(_why(e, policy)) from None


def _why(e: requests.RequestException, policy: Policy) -> str:
    """A one-line reason instead of urllib3's nested repr."""
    text = str(e)
    if isinstance(e, requests.exceptions.ChunkedEncodingError):
        return "truncated body: the connection closed before Content-Length bytes arrived"
    if isinstance(e, requests.ConnectTimeout):
        return f"connect timed out after {policy.connect_timeout:g}s"
    if isinstance(e, requests.ReadTimeout) or "timed out" in text:  # mid-body it is a ConnectionError
        return f"read timed out: nothing for {policy.read_timeout:g}s"
    errno = re.search(r"\[Errno -?\d+\] [^'\")]+", text)
    return f"{type(e).__name__}: {errno.group(0) if errno else text[:200]}"


def download(
    session: requests.Session,
    url: str,
    accept: tuple[str, ...],
    policy: Policy,
    pacer: _Pacer,
    validators: dict | None = None,
) -> _Download:
    """GET ``url`` into a temporary file under var/, retrying within ``policy``'s bounds."""
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity"}  # so Content-Length = body bytes
    if validators:
        if validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
    deadline = time.monotonic() + policy.max_seconds
    dl = _Download(tmp=None)
    reasons, note = [], ""
    for attempt in range(1, policy.max_attempts + 1):
        pacer.wait()
        dl.attempts = attempt
        try:
            _attempt(session, url, headers, accept, policy, deadline, dl)
            return dl
        except _Retry as r:
            reasons.append(str(r))
            if r.wait is not None and r.wait > policy.max_retry_after:
                raise ExtractError(
                    f"{url}: the server asks us to wait {r.wait:.0f}s (Retry-After), more "
                    f"than the {policy.max_retry_after:.0f}s allowed; try later. "
                    f"Nothing landed."
                ) from None
            if attempt == policy.max_attempts:
                break
            pause = max(r.wait or 0.0, min(policy.backoff * 2 ** (attempt - 1), policy.max_backoff))
            if time.monotonic() + pause > deadline:
                note = f"; no time left for another attempt within {policy.max_seconds:g}s"
                break
            time.sleep(pause)
    raise ExtractError(f"{url}: gave up after {dl.attempts} attempt(s), nothing landed: " + _summary(reasons) + note)


def _summary(reasons: list[str]) -> str:
    """'attempts 1-3: HTTP 500' rather than the same line three times."""
    groups: list[list] = []
    for i, r in enumerate(reasons, 1):
        if groups and groups[-1][2] == r:
            groups[-1][1] = i
        else:
            groups.append([i, i, r])
    return "; ".join(f"attempt {a}: {r}" if a == b else f"attempts {a}-{b}: {r}" for a, b, r in groups)


# --- landing a download ---------------------------------------------------------------------------


def _gunzip(tmp: Path, url: str) -> Path:
    out = tmp.with_suffix(".unzipped")
    try:
        with gzip.open(tmp, "rb") as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst, CHUNK)
    except (OSError, EOFError) as e:
        out.unlink(missing_ok=True)
        raise ExtractError(f"{url}: not a valid gzip file ({e}). Nothing landed.") from None
    return out


def _land(path: Path, table: str, filename: str, arrived: dt.date, entry: dict) -> Fetched:
    """Rename a finished file into landing and record it in the folder's manifest."""
    sha, size = sha256_of(path), path.stat().st_size
    landed = landing.land_file(
        path, table, arrived, name=filename, move=True, manifest={**entry, "sha256": sha, "bytes": size}
    )
    return Fetched(entry["url"], "landed", landed, sha, size)


def fetch_to_landing(
    session: requests.Session, url: str, *, accept: tuple[str, ...], policy: Policy, pacer: _Pacer, land
) -> list[Fetched]:
    """Download ``url`` and hand the finished file to ``land(tmp, manifest_entry) -> [Fetched]``,
    unless the server (304) or the bytes (same sha256 as last time) say nothing changed."""
    state = _read_state()
    entry = state.get(url)
    validators = entry if _still_landed(entry) else None  # without the old files a 304 would leave nothing
    dl = download(session, url, accept, policy, pacer, validators)
    if dl.tmp is None:
        return [Fetched(url, "not modified", attempts=dl.attempts)]
    fetched_at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    try:
        if validators and validators.get("sha256") == dl.sha256:  # the server ignored our validators
            results = [Fetched(url, "unchanged", sha256=dl.sha256, bytes=dl.bytes)]
            files = entry["files"]
        else:
            try:
                results = land(
                    dl.tmp,
                    {
                        "url": url,
                        "fetched_at": fetched_at,
                        "etag": dl.etag,
                        "last_modified": dl.last_modified,
                        "content_type": dl.content_type,
                    },
                )
            except EmptyAnswer as e:  # no state written: the next run asks again
                print(f"note: {e}")
                return [Fetched(url, "empty answer", attempts=dl.attempts)]
            files = [str(r.path.relative_to(paths().var)) for r in results]
    finally:
        dl.tmp.unlink(missing_ok=True)
    for r in results:
        r.attempts = dl.attempts
    state[url] = {
        "etag": dl.etag,
        "last_modified": dl.last_modified,
        "sha256": dl.sha256,
        "fetched_at": fetched_at,
        "files": files,
    }
    _write_state(state)
    return results


# --- the three kinds of source --------------------------------------------------------------------


def _land_file(table: str, filename: str, arrived: dt.date, gunzip: bool = False, check=None):
    def land(tmp: Path, entry: dict) -> list[Fetched]:
        path = _gunzip(tmp, entry["url"]) if gunzip else tmp
        try:
            if check is not None:
                check(path, entry["url"])
            return [_land(path, table, filename, arrived, entry)]
        finally:
            path.unlink(missing_ok=True)

    return land


def _json_array(path: Path, url: str) -> None:
    """The police.uk API answers a JSON array; anything else (an error object, a page) is refused."""
    try:
        doc = json.loads(path.read_bytes())
    except ValueError as e:
        raise ExtractError(f"{url}: the response is not valid JSON ({e}). Nothing landed.") from None
    if not isinstance(doc, list):
        raise ExtractError(
            f"{url}: expected a JSON array of crimes, found a JSON {type(doc).__name__}. Nothing landed."
        )
    if not doc:
        raise EmptyAnswer(
            f"{url}: the answer is an empty array (no records: the month is not published yet, "
            f"or nothing was recorded); nothing landed, and the next run asks again"
        )


class EmptyAnswer(ExtractError):
    """A well-formed answer with no records: not data, so not landed (a loader would refuse it)."""


def _land_archive_members(source: Source, month: str, arrived: dt.date):
    """Land the named forces' CSVs from a monthly archive zip, byte for byte."""

    def land(tmp: Path, entry: dict) -> list[Fetched]:
        url, out = entry["url"], []
        try:
            with zipfile.ZipFile(tmp) as zf:
                members = [source.spec["member"].format(month=month, force=f) for f in source.spec["forces"]]
                missing = [m for m in members if m not in zf.namelist()]
                if missing:  # checked before landing any, so a run lands all of them or none
                    raise ExtractError(f"{url}: the archive has no {', '.join(missing)}. Nothing landed.")
                for member in members:
                    part = paths().downloads / f"{uuid.uuid4().hex}.part"
                    try:
                        with zf.open(member) as src, open(part, "wb") as dst:
                            shutil.copyfileobj(src, dst, CHUNK)
                        out.append(
                            _land(
                                part,
                                source.table,
                                Path(member).name,
                                arrived,
                                {**entry, "member": member, "content_type": "text/csv"},
                            )
                        )
                    finally:
                        part.unlink(missing_ok=True)
        except zipfile.BadZipFile as e:
            raise ExtractError(f"{url}: not a valid zip archive ({e}). Nothing landed.") from None
        return out

    return land


def months_between(first: str, last: str) -> list[str]:
    """'2018-04', '2018-06' -> ['2018-04', '2018-05', '2018-06']."""
    y, m = map(int, first.split("-"))
    ly, lm = map(int, last.split("-"))
    if (y, m) > (ly, lm):
        raise ValueError(f"month range {first}..{last} runs backwards")
    out = []
    while (y, m) <= (ly, lm):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def extract(
    name: str,
    *,
    base_url: str | None = None,
    arrived: dt.date | None = None,
    months: list[str] | None = None,
    policy: Policy | None = None,
) -> list[Fetched]:
    """Run one catalogued extractor; returns one ``Fetched`` per file. Raises ``ExtractError``."""
    source = get_source(name)
    arrived = arrived or dt.date.today()
    policy = policy or Policy()
    pacer = _Pacer(max(policy.min_interval, source.min_interval))
    results: list[Fetched] = []
    with _one_run_at_a_time(), requests.Session() as session:

        def fetch(url: str, land) -> None:
            results.extend(
                fetch_to_landing(session, url, accept=source.content_types, policy=policy, pacer=pacer, land=land)
            )

        if source.kind == "file":
            for f in source.files:
                fetch(
                    rebase(f["url"], base_url),
                    _land_file(source.table, f["filename"], arrived, gunzip=bool(f.get("gunzip"))),
                )
        elif source.kind in ("police_api", "police_archive"):
            if not months:
                raise ValueError(f"{name}: say which months, e.g. --months 2018-06 or --months 2018-01:2018-06")
            for month in months:  # one request per month: the API and the archive both page by month
                if source.kind == "police_api":
                    url = (
                        rebase(source.spec["url"], base_url)
                        + "?"
                        + urlencode({"poly": source.spec["poly"], "date": month})
                    )
                    fetch(
                        url,
                        _land_file(
                            source.table, source.spec["filename"].format(month=month), arrived, check=_json_array
                        ),
                    )
                else:
                    fetch(
                        rebase(source.spec["url"].format(month=month), base_url),
                        _land_archive_members(source, month, arrived),
                    )
        else:
            raise ValueError(f"{name}: unknown extractor kind {source.kind!r}")
    return results
