"""Extractors against a real HTTP server on 127.0.0.1 that serves the bundled files and injects faults.

Nothing here patches requests: every download goes through a socket to ``FaultServer``, which answers
from the catalogue's bundled snapshots (so the URL paths are the real ones) and, per path, plays a
queue of faults first: 500, 429 with Retry-After, a truncated body, an HTML error page, a slow reply.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import hashlib
import io
import json
import threading
import time
import zipfile
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import PROJECT, run_pcp
from warehouse.core.errors import ExtractError
from warehouse.ingest import extract, landing

BUNDLED = PROJECT / "seeds" / "sources"
DAY = dt.date(2026, 1, 5)
# Small bounds so a failing server costs a second, not minutes.
FAST = extract.Policy(
    connect_timeout=2,
    read_timeout=0.5,
    max_seconds=30,
    max_attempts=3,
    backoff=0.05,
    max_backoff=0.2,
    max_retry_after=5,
)
HTML = b"<!DOCTYPE html>\n<html><head><title>Service unavailable</title></head><body>Sorry</body></html>\n"


def sha(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


@dataclass
class Resource:
    body: bytes
    content_type: str
    etag: str | None = None
    last_modified: str | None = None
    conditional: bool = True  # False: a server that ignores If-None-Match / If-Modified-Since


class FaultServer:
    """``http.server`` in a thread on a free port. ``faults[path]`` is consumed one per request."""

    def __init__(self):
        self.resources: dict[str, Resource] = {}
        self.faults: dict[str, list[str]] = {}
        self.log: list[dict] = []  # one entry per request: path, query, headers, status, at
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest output clean
                pass

            def do_GET(self):
                parts = urlsplit(self.path)
                entry = {
                    "path": parts.path,
                    "query": parse_qs(parts.query),
                    "headers": dict(self.headers),
                    "at": time.monotonic(),
                }
                server.log.append(entry)
                self.entry = entry
                queue = server.faults.get(parts.path) or []
                fault = queue.pop(0) if queue else "ok"
                self.answer(fault, server.resources.get(parts.path))

            def send_response(self, code, message=None):
                self.entry["status"] = code  # before any byte goes out, so the client never sees it first
                super().send_response(code, message)

            def send(self, status, body: bytes, ctype: str, headers=(), length=None):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body) if length is None else length))
                for k, v in headers:
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)

            def answer(self, fault: str, res: Resource | None) -> None:
                if fault == "500":
                    self.send(500, b"internal error", "text/plain")
                    return
                if fault.startswith("429:"):
                    self.send(429, b"slow down", "text/plain", [("Retry-After", fault[4:])])
                    return
                if fault == "html":  # a CMS error page, served with 200
                    self.send(200, HTML, "text/html; charset=utf-8")
                    return
                if fault == "html-as-data":  # the same page, mislabelled with the expected type
                    self.send(200, HTML, res.content_type)
                    return
                if fault == "slow":  # headers only after the client's read timeout
                    time.sleep(1.0)
                if res is None:
                    self.send(404, b"not found", "text/plain")
                    return
                h = [(k, v) for k, v in (("ETag", res.etag), ("Last-Modified", res.last_modified)) if v]
                if fault == "truncate":  # promise the whole body, send half, hang up
                    self.send(200, res.body[: len(res.body) // 2], res.content_type, h, length=len(res.body))
                    return
                if fault == "drip":  # every piece inside the read timeout, the whole far too long
                    self.send(200, b"", res.content_type, h, length=len(res.body))
                    step = len(res.body) // 8 + 1
                    for i in range(0, len(res.body), step):  # 8 pieces, 0.2 s apart
                        time.sleep(0.2)
                        self.wfile.write(res.body[i : i + step])
                        self.wfile.flush()
                    return
                if res.conditional and self.not_modified(res):
                    self.send_response(304)
                    for k, v in h:
                        self.send_header(k, v)
                    self.end_headers()
                    return
                self.send(200, res.body, res.content_type, h)

            def not_modified(self, res: Resource) -> bool:
                inm = self.headers.get("If-None-Match")
                if inm is not None:
                    return res.etag is not None and inm == res.etag
                ims = self.headers.get("If-Modified-Since")
                if ims and res.last_modified:
                    return email.utils.parsedate_to_datetime(ims) >= email.utils.parsedate_to_datetime(
                        res.last_modified
                    )
                return False

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def serve(
        self, path: str, body: bytes, content_type: str, *, etag=True, last_modified=True, conditional=True
    ) -> Resource:
        res = Resource(
            body,
            content_type,
            f'"{sha(body)[:16]}"' if etag else None,
            "Mon, 01 Jan 2024 00:00:00 GMT" if last_modified else None,
            conditional,
        )
        self.resources[path] = res
        return res

    def requests_for(self, path: str) -> list[dict]:
        return [e for e in self.log if e["path"] == path]


def catalogue_path(source: str, i: int = 0) -> str:
    return urlsplit(extract.get_source(source).files[i]["url"]).path


@pytest.fixture
def server():
    """Serves every catalogued file that has a bundled byte copy, at its real URL path."""
    s = FaultServer()
    for src in extract.catalogue().values():
        for f in src.files:
            if f.get("bundled"):
                body = (BUNDLED / f["bundled"]).read_bytes()
                if f.get("gunzip"):
                    body = gzip.compress(body, mtime=0)
                s.serve(urlsplit(f["url"]).path, body, src.content_types[0])
    api = extract.get_source("police_uk_street_api")
    s.serve(urlsplit(api.spec["url"]).path, (BUNDLED / api.spec["bundled"]).read_bytes(), "application/json")
    s.thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def landed_under(var_dir: Path) -> list[Path]:
    root = var_dir / "landing"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def nothing_partial(var_dir: Path) -> None:
    """No data file in landing and no leftover download."""
    assert [p for p in landed_under(var_dir) if p.name != landing.MANIFEST] == []
    incoming = var_dir / "extract" / "incoming"
    assert not incoming.exists() or list(incoming.iterdir()) == []


EW = "workforce_ew_timeseries"
EW_FILE = BUNDLED / "workforce" / "ew_workforce_fte_officers_staff_pcsos_mar2003_mar2023.csv"
EW_TABLE = "home_office__workforce_ew_timeseries"


# --- a clean download ------------------------------------------------------------------------------


def test_download_lands_the_bundled_bytes_with_a_manifest(server, var_dir):
    [r] = extract.extract(EW, base_url=server.url, arrived=DAY, policy=FAST)

    assert r.status == "landed" and r.attempts == 1
    dest = var_dir / "landing" / EW_TABLE / "2026-01-05" / EW_FILE.name
    assert r.path == dest
    assert sha(dest.read_bytes()) == sha(EW_FILE.read_bytes()) == r.sha256
    m = json.loads((dest.parent / "manifest.json").read_text())["files"][EW_FILE.name]
    res = server.resources[catalogue_path(EW)]
    assert m == {
        "url": server.url + catalogue_path(EW),
        "fetched_at": m["fetched_at"],
        "etag": res.etag,
        "last_modified": res.last_modified,
        "sha256": sha(EW_FILE.read_bytes()),
        "bytes": EW_FILE.stat().st_size,
        "content_type": "text/csv",
    }
    dt.datetime.fromisoformat(m["fetched_at"])
    # the loader sees it, with the folder date as its vintage; the manifest is not a data file
    assert landing.landed_files(EW_TABLE) == [(dest, DAY)]
    # we asked for the raw bytes, so Content-Length can be checked against what arrived
    assert server.log[0]["headers"]["Accept-Encoding"] == "identity"


@pytest.mark.parametrize("name", [n for n, s in extract.catalogue().items() if any(f.get("bundled") for f in s.files)])
def test_every_catalogued_file_lands_byte_identical_to_its_bundled_copy(server, var_dir, name):
    src = extract.get_source(name)
    results = extract.extract(name, base_url=server.url, arrived=DAY, policy=FAST)
    for f, r in zip(src.files, results):
        bundled = BUNDLED / f["bundled"]
        assert r.path == var_dir / "landing" / src.table / "2026-01-05" / f["filename"]
        assert sha(r.path.read_bytes()) == sha(bundled.read_bytes())
        m = landing.read_manifest(r.path.parent)["files"][f["filename"]]
        assert (m["sha256"], m["bytes"]) == (sha(bundled.read_bytes()), bundled.stat().st_size)


def test_gzipped_source_lands_decompressed(server, var_dir):
    [r] = extract.extract("workforce_open_data", base_url=server.url, arrived=DAY, policy=FAST)
    served = server.resources[catalogue_path("workforce_open_data")].body
    assert served[:2] == b"\x1f\x8b" and len(served) < 2_502_542 / 4  # gzip on the wire
    assert r.bytes == 2_502_542  # the manifest records the landed (decompressed) file


# --- not fetching twice --------------------------------------------------------------------------


@pytest.mark.parametrize("validator", ["etag", "last_modified"])
def test_unchanged_file_is_not_fetched_twice(server, var_dir, validator):
    path = catalogue_path(EW)
    server.serve(
        path, EW_FILE.read_bytes(), "text/csv", etag=validator == "etag", last_modified=validator == "last_modified"
    )
    extract.extract(EW, base_url=server.url, arrived=DAY, policy=FAST)
    [again] = extract.extract(EW, base_url=server.url, arrived=DAY + dt.timedelta(days=1), policy=FAST)

    assert again.status == "not modified"
    first, second = server.requests_for(path)
    assert (first["status"], second["status"]) == (200, 304)
    header = "If-None-Match" if validator == "etag" else "If-Modified-Since"
    assert header not in first["headers"]
    assert second["headers"][header] == (server.resources[path].etag or server.resources[path].last_modified)
    assert not (var_dir / "landing" / EW_TABLE / "2026-01-06").exists()


def test_same_bytes_from_a_server_without_validators_land_nothing_new(server, var_dir):
    path = catalogue_path(EW)
    server.serve(path, EW_FILE.read_bytes(), "text/csv", conditional=False)
    extract.extract(EW, base_url=server.url, arrived=DAY, policy=FAST)
    [again] = extract.extract(EW, base_url=server.url, arrived=DAY + dt.timedelta(days=1), policy=FAST)
    assert again.status == "unchanged"
    assert [e["status"] for e in server.requests_for(path)] == [200, 200]
    assert len([p for p in landed_under(var_dir) if p.suffix == ".csv"]) == 1


def test_changed_file_lands_again_under_the_new_date(server, var_dir):
    path = catalogue_path(EW)
    extract.extract(EW, base_url=server.url, arrived=DAY, policy=FAST)
    changed = EW_FILE.read_bytes().replace(b"2023-03-31,officers,147429.623849726", b"2023-03-31,officers,147500.0")
    server.serve(path, changed, "text/csv")
    [r] = extract.extract(EW, base_url=server.url, arrived=DAY + dt.timedelta(days=1), policy=FAST)
    assert r.status == "landed" and r.path.read_bytes() == changed
    assert server.requests_for(path)[1]["headers"]["If-None-Match"] != server.resources[path].etag


def test_a_lost_landing_file_is_fetched_in_full_again(server, var_dir):
    [r] = extract.extract(EW, base_url=server.url, arrived=DAY, policy=FAST)
    r.path.unlink()
    [again] = extract.extract(EW, base_url=server.url, arrived=DAY, policy=FAST)
    assert again.status == "landed" and again.path.read_bytes() == EW_FILE.read_bytes()
    assert "If-None-Match" not in server.log[-1]["headers"]


# --- faults ----------------------------------------------------------------------------------------


def test_500s_then_success(server, var_dir):
    path = catalogue_path(EW)
    server.faults[path] = ["500", "500"]
    [r] = extract.extract(EW, base_url=server.url, arrived=DAY, policy=FAST)
    assert r.status == "landed" and r.attempts == 3
    assert [e["status"] for e in server.requests_for(path)] == [500, 500, 200]
    assert r.path.read_bytes() == EW_FILE.read_bytes()


def test_a_server_that_keeps_failing_gets_a_bounded_number_of_requests(server, var_dir):
    path = catalogue_path(EW)
    server.faults[path] = ["500"] * 50
    with pytest.raises(ExtractError, match=r"gave up after 3 attempt\(s\), nothing landed.*HTTP 500"):
        extract.extract(EW, base_url=server.url, arrived=DAY, policy=FAST)
    assert len(server.requests_for(path)) == FAST.max_attempts
    nothing_partial(var_dir)
    assert not (var_dir / "extract" / "state.json").exists()


@pytest.mark.parametrize("form", ["seconds", "http-date"])
def test_429_waits_as_long_as_retry_after_says(server, var_dir, form):
    path = catalogue_path(EW)
    when = "1" if form == "seconds" else email.utils.formatdate(time.time() + 2, usegmt=True)
    server.faults[path] = [f"429:{when}"]
    [r] = extract.extract(EW, base_url=server.url, arrived=DAY, policy=FAST)
    first, second = server.requests_for(path)
    assert (first["status"], second["status"]) == (429, 200)
    # backoff alone would have waited 0.05 s; the header asked for about a second or more
    assert second["at"] - first["at"] >= 0.9
    assert r.path.read_bytes() == EW_FILE.read_bytes()


def test_a_retry_after_beyond_the_limit_stops_at_once(server, var_dir):
    path = catalogue_path(EW)
    server.faults[path] = ["429:3600"] * 5
    with pytest.raises(ExtractError, match=r"asks us to wait 3600s \(Retry-After\)"):
        extract.extract(EW, base_url=server.url, arrived=DAY, policy=FAST)
    assert len(server.requests_for(path)) == 1
    nothing_partial(var_dir)


def test_retry_after_parsing():
    now = dt.datetime(2026, 1, 5, 12, 0, 0, tzinfo=dt.UTC)
    assert extract.retry_after_seconds("120", now) == 120
    assert extract.retry_after_seconds("Mon, 05 Jan 2026 12:00:30 GMT", now) == 30
    assert extract.retry_after_seconds("Mon, 05 Jan 2026 11:00:00 GMT", now) == 0  # in the past
    assert extract.retry_after_seconds("soon", now) is None
    assert extract.retry_after_seconds(None, now) is None


def test_truncated_body_is_retried_and_never_lands_half_a_file(server, var_dir):
    path = catalogue_path(EW)
    server.faults[path] = ["truncate"] * 50
    with pytest.raises(ExtractError, match="gave up after 3 attempt"):
        extract.extract(EW, base_url=server.url, arrived=DAY, policy=FAST)
    assert len(server.requests_for(path)) == 3
    nothing_partial(var_dir)

    server.faults[path] = ["truncate"]
    [r] = extract.extract(EW, base_url=server.url, arrived=DAY, policy=FAST)
    assert r.attempts == 2 and sha(r.path.read_bytes()) == sha(EW_FILE.read_bytes())


@pytest.mark.parametrize("fault", ["html", "html-as-data"])
def test_an_html_error_page_served_with_200_is_refused(server, var_dir, fault):
    path = catalogue_path(EW)
    server.faults[path] = [fault]
    with pytest.raises(ExtractError, match="HTML") as e:
        extract.extract(EW, base_url=server.url, arrived=DAY, policy=FAST)
    assert server.url + path in str(e.value) and "Nothing landed" in str(e.value)
    assert len(server.requests_for(path)) == 1  # a wrong page is not retried
    nothing_partial(var_dir)


def test_a_slow_server_times_out_and_is_retried_within_bounds(server, var_dir):
    path = catalogue_path(EW)
    server.faults[path] = ["slow"]
    [r] = extract.extract(EW, base_url=server.url, arrived=DAY, policy=FAST)
    assert r.attempts == 2 and r.path.read_bytes() == EW_FILE.read_bytes()

    r.path.unlink()
    server.faults[path] = ["slow"] * 50
    with pytest.raises(ExtractError, match="(?i)timed? ?out"):
        extract.extract(EW, base_url=server.url, arrived=DAY, policy=FAST)
    assert len(server.requests_for(path)) == 2 + 3


def test_a_download_that_never_ends_is_cut_off_by_the_overall_limit(server, var_dir):
    path = catalogue_path(EW)
    server.faults[path] = ["drip"]
    policy = extract.Policy(connect_timeout=2, read_timeout=0.5, max_seconds=1, max_attempts=3, backoff=0.05)
    with pytest.raises(ExtractError, match=r"still downloading after 1s"):
        extract.extract(EW, base_url=server.url, arrived=DAY, policy=policy)
    assert len(server.requests_for(path)) == 1
    nothing_partial(var_dir)


def test_unknown_source_names_the_known_ones():
    with pytest.raises(KeyError, match="workforce_ew_timeseries"):
        extract.get_source("nope")


# --- police.uk ------------------------------------------------------------------------------------

API = "police_uk_street_api"


def test_police_api_pages_by_month_politely_and_keeps_the_json_as_served(server, var_dir):
    src = extract.get_source(API)
    path = urlsplit(src.spec["url"]).path
    body = (BUNDLED / src.spec["bundled"]).read_bytes()

    results = extract.extract(
        API, base_url=server.url, arrived=DAY, months=extract.months_between("2018-04", "2018-06"), policy=FAST
    )

    calls = server.requests_for(path)
    assert [c["query"]["date"] for c in calls] == [["2018-04"], ["2018-05"], ["2018-06"]]
    assert all(c["query"]["poly"] == [src.spec["poly"]] for c in calls)
    gaps = [b["at"] - a["at"] for a, b in zip(calls, calls[1:])]
    assert min(gaps) >= src.min_interval * 0.9  # the polite rate limit
    folder = var_dir / "landing" / src.table / "2026-01-05"
    assert sorted(p.name for p in folder.iterdir()) == [
        "crimes-street_all-crime_2018-04.json",
        "crimes-street_all-crime_2018-05.json",
        "crimes-street_all-crime_2018-06.json",
        "manifest.json",
    ]
    assert all(r.path.read_bytes() == body for r in results)
    assert len(json.loads(results[-1].path.read_bytes())) == 504
    manifest = landing.read_manifest(folder)["files"]
    assert {m["url"].split("date=")[1] for m in manifest.values()} == {"2018-04", "2018-05", "2018-06"}


def test_police_api_error_object_is_refused(server, var_dir):
    path = urlsplit(extract.get_source(API).spec["url"]).path
    server.serve(path, b'{"message": "too many crimes in this area"}', "application/json")
    with pytest.raises(ExtractError, match="expected a JSON array of crimes, found a JSON dict"):
        extract.extract(API, base_url=server.url, arrived=DAY, months=["2018-06"], policy=FAST)
    nothing_partial(var_dir)


def test_police_archive_lands_the_force_csv_byte_for_byte(server, var_dir):
    src = extract.get_source("police_uk_archive")
    street = (BUNDLED / src.spec["bundled"]).read_bytes()  # the archive's Thames Valley member, bundled
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("2018-06/2018-06-thames-valley-street.csv", street)
        zf.writestr("2018-06/2018-06-surrey-street.csv", b"other force\n")
    path = urlsplit(src.spec["url"].format(month="2018-06")).path
    server.serve(path, buf.getvalue(), "application/zip")

    [r] = extract.extract("police_uk_archive", base_url=server.url, arrived=DAY, months=["2018-06"], policy=FAST)
    assert r.path == var_dir / "landing" / src.table / "2026-01-05" / "2018-06-thames-valley-street.csv"
    assert r.path.read_bytes() == street
    m = landing.read_manifest(r.path.parent)["files"][r.path.name]
    assert m["member"] == "2018-06/2018-06-thames-valley-street.csv" and m["sha256"] == sha(street)
    [again] = extract.extract("police_uk_archive", base_url=server.url, arrived=DAY, months=["2018-06"], policy=FAST)
    assert again.status == "not modified"
    nothing_left = var_dir / "extract" / "incoming"
    assert list(nothing_left.iterdir()) == []


def test_police_archive_without_the_force_lands_nothing(server, var_dir):
    src = extract.get_source("police_uk_archive")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("2018-06/2018-06-surrey-street.csv", b"other force\n")
    server.serve(urlsplit(src.spec["url"].format(month="2018-06")).path, buf.getvalue(), "application/zip")
    with pytest.raises(ExtractError, match="the archive has no 2018-06/2018-06-thames-valley-street.csv"):
        extract.extract("police_uk_archive", base_url=server.url, arrived=DAY, months=["2018-06"], policy=FAST)
    nothing_partial(var_dir)


def test_a_source_of_several_files_lands_them_in_one_folder_with_one_manifest(server, var_dir):
    src = extract.get_source("workforce_september_tables")
    bodies = {f["filename"]: f"PK stand-in for {f['filename']}".encode() for f in src.files}
    for f in src.files:
        server.serve(urlsplit(f["url"]).path, bodies[f["filename"]], src.content_types[0])
    results = extract.extract("workforce_september_tables", base_url=server.url, arrived=DAY, policy=FAST)
    assert {r.path.name: r.path.read_bytes() for r in results} == bodies
    manifest = landing.read_manifest(var_dir / "landing" / src.table / "2026-01-05")["files"]
    assert {k: v["sha256"] for k, v in manifest.items()} == {k: sha(b) for k, b in bodies.items()}


# --- into the warehouse ----------------------------------------------------------------------------


def test_an_extracted_file_flows_through_pcp_build(server, copy_of_built):
    import duckdb

    var = copy_of_built

    def published(sql: str):
        with duckdb.connect(str(var / "warehouse.duckdb"), read_only=True) as con:
            return con.execute(sql).fetchall()

    def working(sql: str):  # staging and raw: the pipeline's own storage, not the published file
        with duckdb.connect(str(var / "build" / "working.duckdb"), read_only=True) as con:
            return con.execute(sql).fetchall()

    loads_sql = f"select count(*) from meta.loads where source_table = '{EW_TABLE}'"
    officers_2023 = (
        "select fte, vintage from staging.stg_home_office__workforce_ew_timeseries "
        "where period_end = '2023-03-31' and worker_type = 'officer'"
    )
    [(loads_before,)] = published(loads_sql)
    assert working(officers_2023) == [(pytest.approx(147429.62, abs=0.01), dt.date(2024, 3, 28))]

    # The same bytes as the bundled snapshot land under a new date: the loader sees the same sha256.
    out = run_pcp("extract", EW, "--base-url", server.url, "--date", "2026-01-05", var=var).stdout
    assert f"landed {var / 'landing' / EW_TABLE / '2026-01-05' / EW_FILE.name}" in out
    out = run_pcp("build", var=var).stdout
    assert f"{EW_TABLE}: {EW_FILE.name} already loaded (same sha256), nothing to do" in out
    assert published(loads_sql) == [(loads_before,)]  # no new load

    # A restated body (new ETag) lands under the next date and is a new load whose figure wins.
    changed = EW_FILE.read_bytes().replace(b"2023-03-31,officers,147429.623849726", b"2023-03-31,officers,147500.0")
    assert changed != EW_FILE.read_bytes()
    server.serve(catalogue_path(EW), changed, "text/csv")
    out = run_pcp("extract", EW, "--base-url", server.url, "--date", "2026-01-06", var=var).stdout
    assert "landed" in out
    out = run_pcp("build", var=var).stdout
    assert f"{EW_TABLE}: loaded 63 rows from {EW_FILE.name}" in out
    assert published(loads_sql) == [(loads_before + 1,)]
    assert published(
        f"select status, vintage, sha256 from meta.loads where source_table = '{EW_TABLE}' "
        "order by load_id desc limit 1"
    ) == [("accepted", dt.date(2026, 1, 6), sha(changed))]
    assert working(officers_2023) == [(147500.0, dt.date(2026, 1, 6))]
    # raw keeps the earlier version
    assert working(f"select count(distinct _sha256) from raw.{EW_TABLE} where date = '2023-03-31'") == [(2,)]


def test_pcp_extract_without_a_name_lists_the_catalogue(var_dir):
    out = run_pcp("extract", var=var_dir).stdout
    for name, src in extract.catalogue().items():
        assert name in out and src.table in out
    assert not (var_dir / "landing").exists()  # listing downloads nothing
