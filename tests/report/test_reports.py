"""Panel packs: opened with real readers and checked against marts.milestone_progress."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from warehouse.report import suppression
from warehouse.report.tables import DANGEROUS_PREFIXES, RAG_FILL, neutralise

AS_AT = dt.date(2023, 3, 24)


@pytest.fixture(scope="module")
def packs(built_var, tmp_path_factory):
    import os

    from warehouse.report.pack import build_pack

    out = tmp_path_factory.mktemp("reports")
    old = os.environ.get("PCP_VAR_DIR")
    os.environ["PCP_VAR_DIR"] = str(built_var)
    try:
        return {f: build_pack(f, AS_AT, out_root=out / "a") for f in ("Thames Valley", "Leicestershire", "Surrey")}, {
            f: build_pack(f, AS_AT, out_root=out / "b") for f in ("Thames Valley",)
        }
    finally:
        if old is None:
            os.environ.pop("PCP_VAR_DIR", None)
        else:
            os.environ["PCP_VAR_DIR"] = old


def _expected(published, area_code):
    return (
        published.execute(
            """
        select * from marts.milestone_progress where area_code = ?
        and (coalesce(reporting_date, latest_date) is null or coalesce(reporting_date, latest_date) <= ?)
        qualify row_number() over (partition by milestone_id order by coalesce(reporting_date, latest_date) desc nulls last) = 1
        order by milestone_id""",
            [area_code, AS_AT],
        ).df()
        if _has(published, "reporting_date")
        else published.execute(
            """
        select * from marts.milestone_progress where area_code = ? and (latest_date is null or latest_date <= ?)
        qualify row_number() over (partition by milestone_id order by latest_date desc nulls last) = 1
        order by milestone_id""",
            [area_code, AS_AT],
        ).df()
    )


def _has(con, column):
    return bool(
        con.execute(
            "select count(*) from information_schema.columns where table_schema='marts' and "
            "table_name='milestone_progress' and column_name=?",
            [column],
        ).fetchall()[0][0]
    )


@pytest.mark.parametrize("force,area", [("Thames Valley", "E23000029"), ("Leicestershire", "E23000021")])
def test_xlsx_values_and_rag_fills_match_the_mart(packs, published, force, area):
    from openpyxl import load_workbook

    pack = packs[0][force]
    wb = load_workbook(pack.folder / "milestone-pack.xlsx")
    assert {"Milestones", "Notes"} <= set(wb.sheetnames)
    ws = wb["Milestones"]
    header = [c.value for c in ws[1]]
    assert ws.freeze_panes == "B2"
    expected = _expected(published, area)
    assert len(expected) > 0
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2) if r[0].value in set(expected.milestone_id)}
    assert set(rows) == set(expected.milestone_id)
    col = {name: header.index(name) for name in header}
    for m in expected.itertuples():
        row = rows[m.milestone_id]
        rag = row[col["RAG"]]
        assert rag.value == m.rag_status
        assert rag.fill.fgColor.rgb[-6:] == RAG_FILL[m.rag_status]
        if "status" in expected.columns:
            assert row[col["Status"]].value == m.status
        if pd.notna(m.latest_value):
            assert row[col["Latest"]].value == pytest.approx(m.latest_value)
        if pd.notna(m.target_value):
            assert row[col["Target"]].value == pytest.approx(m.target_value)
        assert (row[col["SAMPLE"]].value == "SAMPLE") == bool(m.is_sample)
    # no formulas anywhere: every cell is a value
    for sheet in wb.worksheets:
        for r in sheet.iter_rows():
            for c in r:
                assert c.data_type != "f", f"{sheet.title}!{c.coordinate} holds a formula"
                if isinstance(c.value, str):
                    assert not c.value.startswith(DANGEROUS_PREFIXES), f"{sheet.title}!{c.coordinate}"


class _Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs, self.tags = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for k, v in attrs:
            if k in ("src", "href", "srcset", "action", "data", "poster", "xlink:href") and v:
                self.refs.append(v)


def test_html_is_self_contained(packs):
    text = (packs[0]["Thames Valley"].folder / "milestone-pack.html").read_text()
    p = _Refs()
    p.feed(text)
    assert "script" not in p.tags and "link" not in p.tags and "iframe" not in p.tags
    external = [r for r in p.refs if not r.startswith("#")]
    assert external == [], external
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", text)
    assert "@import" not in text
    assert "<svg" in text  # charts are inline
    assert "width=device-width" in text  # readable on a phone
    assert "@media print" in text


def test_pdf_renders_and_page_one_shows_the_milestones(packs, tmp_path):
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(packs[0]["Thames Valley"].folder / "milestone-pack.pdf"))
    assert len(pdf) >= 3
    first = pdf[0].get_textpage().get_text_range()
    assert "Thames Valley" in first and "milestones" in first.lower() and "TVP-01" in first
    assert "How a status is decided" in first
    for i in range(len(pdf)):
        img = pdf[i].render(scale=1).to_pil().convert("L")
        img.save(tmp_path / f"page{i}.png")
        inked = sum(img.histogram()[:200])  # pixels clearly darker than the white page
        assert inked > 500, f"page {i + 1} is blank"


def test_same_inputs_give_the_same_report(packs):
    a, b = packs[0]["Thames Valley"].folder, packs[1]["Thames Valley"].folder
    for name in ("milestones.csv", "notes.csv", "milestone-pack.html", "milestone-pack.pdf", "milestone-pack.xlsx"):
        assert (
            hashlib.sha256((a / name).read_bytes()).hexdigest() == hashlib.sha256((b / name).read_bytes()).hexdigest()
        ), name


def test_csv_neutralises_formula_like_text():
    assert neutralise('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert neutralise("+44 1234") == "'+44 1234" and neutralise("@cmd") == "'@cmd" and neutralise("-1+2") == "'-1+2"
    assert neutralise("Thames Valley") == "Thames Valley" and neutralise(-5) == -5


def test_every_csv_cell_is_safe(packs):
    for f in packs[0]["Thames Valley"].folder.glob("*.csv"):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        for col in df.columns:
            bad = df[col][df[col].str.startswith(("=", "+", "@"))]
            assert bad.empty, (f.name, col, bad.tolist()[:3])


def test_primary_and_secondary_suppression():
    # four partnerships in one force-month; one count under 10 must not be derivable from the total
    df = pd.DataFrame(
        {"area_code": ["F"] * 4, "period_end": ["2023-01"] * 4, "csp": ["a", "b", "c", "d"], "crimes": [4, 25, 12, 40]}
    )
    mask = suppression.suppression_mask(df, "crimes", [["area_code", "period_end"]])
    assert mask.tolist() == [True, False, True, False]  # 4 (primary) and 12 (secondary, next smallest)
    out = suppression.apply(df, ["crimes"], [["area_code", "period_end"]])
    assert out.crimes.tolist() == ["[c]", 25, "[c]", 40]


def test_secondary_suppression_cascades_across_groups():
    # by month and by partnership: hiding one cell in a month must also protect its partnership row
    df = pd.DataFrame({"m": ["1", "1", "2", "2"], "p": ["a", "b", "a", "b"], "n": [3, 50, 60, 70]})
    mask = suppression.suppression_mask(df, "n", [["m"], ["p"]])
    hidden = df[mask]
    for keys in (["m"], ["p"]):
        for _, g in df.assign(h=mask).groupby(keys):
            assert g.h.sum() != 1, "a lone hidden cell could be recovered from its total"
    assert 3 in hidden.n.tolist()


def test_row_sums_cannot_reveal_a_hidden_part():
    df = pd.DataFrame(
        {
            "area_code": ["F", "F"],
            "period_end": ["m", "m"],
            "csp": ["a", "b"],
            "justice_outcomes": [18, 40],
            "outcome_charge_summons": [15, 20],
            "outcome_out_of_court": [3, 20],
        }
    )
    masks = suppression.suppression_masks(
        df,
        ["justice_outcomes", "outcome_charge_summons", "outcome_out_of_court"],
        [["area_code", "period_end"]],
        {"justice_outcomes": ["outcome_charge_summons", "outcome_out_of_court"]},
    )
    row0 = [masks[c].iloc[0] for c in ("justice_outcomes", "outcome_charge_summons", "outcome_out_of_court")]
    assert sum(row0) >= 2 and row0[2]  # 3 hidden, and 18 or 15 hidden with it
    for c, m in masks.items():
        assert m.sum() != 1, f"{c}: a lone hidden cell in the force-month total"


def test_breakdowns_exist_and_are_suppressed(packs):
    files = list(packs[0]["Thames Valley"].folder.glob("*by-partnership.csv"))
    assert len(files) == 2  # domestic abuse and hate crime
    text = "".join(f.read_text() for f in files)
    assert "[c]" in text


def test_no_count_under_ten_survives_in_breakdowns(packs):
    for f in packs[0]["Thames Valley"].folder.glob("*by-partnership.csv"):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        for col in df.columns:
            nums = pd.to_numeric(df[col], errors="coerce")
            if col.endswith(("_code", "_name", "period_end")) or nums.isna().all():
                continue
            assert not ((nums >= 0) & (nums < 10)).any(), (f.name, col)


# --- the pack as a panel paper (issue 17) ---------------------------------------------------------


def _pdf_pages(path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]


def _measured(published, area):
    """Milestones with at least one figure of their period type on or before AS_AT."""
    return [
        r[0]
        for r in published.execute(
            """
        select distinct p.milestone_id from marts.milestone_progress p
        join marts.metric_values v on v.metric_id = p.metric_id and v.area_code = p.area_code
             and v.period_type = p.period_type and v.period_end <= ?
        where p.area_code = ? order by 1""",
            [AS_AT, area],
        ).fetchall()
    ]


def test_thames_valley_pdf_is_short_with_summary_and_milestones_up_front(packs, published):
    pages = _pdf_pages(packs[0]["Thames Valley"].folder / "milestone-pack.pdf")
    assert len(pages) <= 12, f"{len(pages)} pages"
    assert "Summary" in pages[0] and "Status of the" in pages[0]
    front = "\n".join(pages[:3])
    ids = [
        r[0]
        for r in published.execute(
            "select milestone_id from reference.milestones where area_code = 'E23000029'"
        ).fetchall()
    ]
    missing = [i for i in ids if i not in front]
    assert not missing, f"not in the first 3 pages: {missing}"


@pytest.mark.parametrize("force", ["Thames Valley", "Leicestershire", "Surrey"])
def test_no_paragraph_is_repeated_and_sources_are_listed_once(packs, force):
    pages = _pdf_pages(packs[0][force].folder / "milestone-pack.pdf")
    text = "\n".join(pages)
    # prose lines (a sentence: has a full stop); repeated table header rows are not paragraphs
    lines = [
        ln.strip()
        for ln in text.replace("\r", "").split("\n")
        if len(ln.strip()) > 70 and re.search(r"\.(\s|$)", ln.strip())
    ]
    repeated = {ln for ln in lines if lines.count(ln) > 1}
    assert not repeated, sorted(repeated)[:3]
    assert text.count("Sources") >= 1 and "Sources:" not in text  # no per-table source paragraph
    tail = "\n".join(pages[-2:])
    assert re.search(r"\[1\] ", tail), "the numbered source list closes the pack"
    for n in set(re.findall(r"\[(\d+)(?:, \d+)*\]", text)):
        assert f"[{n}] " in tail, f"source [{n}] is cited but not listed"


@pytest.mark.parametrize("force", ["Thames Valley", "Leicestershire"])
def test_sample_banner_on_page_one(packs, published, force):
    pages = _pdf_pages(packs[0][force].folder / "milestone-pack.pdf")
    area = "E23000029" if force == "Thames Valley" else "E23000021"
    has_sample = published.execute(
        "select bool_or(is_sample) from marts.metric_values where area_code = ? and period_end <= ?", [area, AS_AT]
    ).fetchall()[0][0]
    assert has_sample
    assert "SAMPLE DATA" in pages[0]
    html_text = (packs[0][force].folder / "milestone-pack.html").read_text()
    assert html_text.index('class="sample"') < html_text.index("<h2")


@pytest.mark.parametrize("force,area", [("Thames Valley", "E23000029"), ("Leicestershire", "E23000021")])
def test_every_measured_milestone_has_a_chart(packs, published, force, area):
    import zipfile

    folder = packs[0][force].folder
    measured = _measured(published, area)
    assert measured
    text = "\n".join(_pdf_pages(folder / "milestone-pack.pdf"))
    charted = text[text.index("Milestones charted") :]
    html_text = (folder / "milestone-pack.html").read_text()
    figures = re.findall(r"<figcaption class='foot'>([A-Z]+-\d+):", html_text)
    assert sorted(figures) == measured
    for mid in measured:
        assert f"{mid}: " in charted, f"{mid} has no chart caption in the PDF"
    with zipfile.ZipFile(folder / "milestone-pack.xlsx") as z:
        xlsx_charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(xlsx_charts) == len(measured)


def test_xlsx_is_filterable_printable_and_formatted(packs):
    from openpyxl import load_workbook

    wb = load_workbook(packs[0]["Thames Valley"].folder / "milestone-pack.xlsx")
    assert "Charts" in wb.sheetnames and "Sources" in wb.sheetnames
    for ws in wb.worksheets:
        if ws.title in ("Charts", "Chart data"):
            continue
        assert ws.freeze_panes == "B2", ws.title
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert ws.print_title_rows == "$1:$1", ws.title
        if ws.max_row > 1:
            assert ws.auto_filter.ref, ws.title
        for row in ws.iter_rows(min_row=2):
            for c in row:
                assert not c.number_format.endswith("."), (ws.title, c.coordinate, c.number_format)
                assert ".#" not in c.number_format, (ws.title, c.coordinate, c.number_format)
                if isinstance(c.value, (dt.date, dt.datetime)):
                    assert "yy" in c.number_format, (ws.title, c.coordinate)
        header = [c.value for c in ws[1]]
        raw = [h for h in header if isinstance(h, str) and "_" in h]
        assert not raw, f"{ws.title}: raw column names {raw}"
    for ws in wb.worksheets:  # partnership sheets print the latest 13 months, not every month
        if ws["A1"].value == "Month end" and ws.max_row > 400:
            last = int(re.search(r"\$(\d+)$", ws.print_area.split("!")[1]).group(1))
            months = {ws.cell(row=i, column=1).value for i in range(2, last + 1)}
            assert last < ws.max_row and len(months) == 13, (ws.title, last, len(months))
    ms = wb["Milestones"]
    header = [c.value for c in ms[1]]
    assert isinstance(ms.cell(row=2, column=header.index("Deadline") + 1).value, dt.datetime)
    # the sheet prints its reading columns only: a few pages, not hundreds
    assert ms.print_area and ms.print_area.split("!")[1].startswith("$A$1:$N$")


def test_sample_is_a_word_never_a_flag(packs):
    for f in packs[0]["Thames Valley"].folder.glob("*.csv"):
        df = pd.read_csv(f, dtype=str, keep_default_na=False)
        if "SAMPLE" in df.columns:
            assert set(df["SAMPLE"]) <= {"SAMPLE", ""}, f.name


def test_monthly_tables_show_13_whole_months_and_year_totals(packs):
    from warehouse.report import data as data_mod
    from warehouse.report import tables

    df = pd.read_csv(packs[0]["Thames Valley"].folder / "contact-monthly.csv")  # every month
    months = [c for c in df.columns if re.fullmatch(r"[A-Z][a-z]{2} \d{4}", c)]
    assert months and pd.Timestamp(months[-1]) < pd.Timestamp(AS_AT.replace(day=1)), "a month not yet ended"
    assert any(re.fullmatch(r"\d{4}/\d{2} (total|\(\d+ months\))", c) for c in df.columns)
    long = pd.DataFrame(
        {
            "domain": "contact",
            "metric_id": "m",
            "label": "Calls",
            "unit": "count",
            "period_end": pd.date_range("2020-01-31", periods=30, freq="ME").date,
            "period_type": "month",
            "value": 1.0,
            "numerator": None,
            "denominator": None,
            "is_sample": False,
            "source": "s",
        }
    )
    d = data_mod.PackData(
        "F",
        "E23000000",
        AS_AT,
        None,
        None,
        pd.DataFrame(),
        pd.DataFrame(),
        pd.DataFrame(),
        long,
        {},
        pd.DataFrame(),
        [],
        pd.DataFrame(),
        None,
        {},
        pd.DataFrame(),
        pd.DataFrame(),
    )
    recent = tables.domain_tables(d)["contact monthly"]
    shown = [c for c in recent.columns if re.fullmatch(r"[A-Z][a-z]{2} \d{4}", c)]
    assert shown[0] == "Jun 2021" and shown[-1] == "Jun 2022" and len(shown) == 13
    assert recent["2021/22 total"].iloc[0] == 12 and recent["2022/23 (3 months)"].iloc[0] == 3
    assert (
        len(
            [
                c
                for c in tables.domain_tables(d, recent=False)["contact monthly"].columns
                if re.fullmatch(r"[A-Z][a-z]{2} \d{4}", c)
            ]
        )
        == 30
    )


def test_surrey_pack_explains_itself(packs):
    pages = _pdf_pages(packs[0]["Surrey"].folder / "milestone-pack.pdf")
    assert "holds no milestones for Surrey" in pages[0]
    text = "\n".join(pages)
    assert "England and Wales" in text and "Peer group" in text
    assert packs[0]["Surrey"].notices and "no milestones" in packs[0]["Surrey"].notices[0]


def test_mistyped_force_gets_one_line_with_the_nearest_names(built_var):
    from conftest import run_pcp

    proc = run_pcp("report", "--force", "Surry", "--as-at", AS_AT.isoformat(), var=built_var, check=False)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Surrey" in lines[0] and "Traceback" not in proc.stderr, proc.stderr


# --- the HTML in a real browser (Debian's chromium; `make test` installs it) -----------------------

CHECK_JS = """<script>
const de = document.documentElement, r = {width: innerWidth, scroll: de.scrollWidth, hidden: [], cut: [], ids: []};
document.querySelectorAll('table.ms tbody tr').forEach(tr => {
  const id = tr.cells[0].textContent.trim(); r.ids.push(id);
  for (const sel of ['td.status', 'td[data-label=Reason]']) {
    const td = tr.querySelector(sel), b = td.getBoundingClientRect(), st = getComputedStyle(td);
    if (b.width < 1 || b.height < 1 || b.left < 0 || b.right > innerWidth + 0.5 || st.display === 'none'
        || st.visibility !== 'visible' || !td.textContent.trim()) r.hidden.push(id + ' ' + sel);
  }
});
document.querySelectorAll('table').forEach((t, i) => {
  if (t.scrollWidth > t.parentElement.clientWidth + 1) r.cut.push(i + ': ' + t.scrollWidth + ' > ' + t.parentElement.clientWidth);
});
parent.postMessage(JSON.stringify(r), '*');
</script>"""


def _in_browser(html_path, width, tmp_path) -> dict:
    """Lay the pack out in headless chromium at ``width`` CSS px (an iframe of that width, as a
    window cannot be narrower than 500 px) and return what the check script measured."""
    import html as htmlmod
    import json
    import shutil
    import subprocess

    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    assert exe, "chromium is not installed: `make test` installs it (apt-get install chromium)"
    page = tmp_path / f"page{width}.html"
    page.write_text(html_path.read_text().replace("</body>", CHECK_JS + "</body>"))
    frame = tmp_path / f"frame{width}.html"
    frame.write_text(
        f"<!doctype html><html><body style='margin:0'><iframe src='{page.name}' "
        f"style='width:{width}px;height:1200px;border:0'></iframe><script>addEventListener('message',"
        f"e => document.body.setAttribute('data-check', e.data))</script></body></html>"
    )
    proc = subprocess.run(
        [
            exe,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--virtual-time-budget=5000",
            f"--window-size={max(width, 800)},900",
            "--dump-dom",
            frame.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    m = re.search(r'data-check="([^"]*)"', proc.stdout)
    assert m, f"chromium gave no measurement:\n{proc.stderr[-2000:]}"
    return json.loads(htmlmod.unescape(m.group(1)))


@pytest.mark.parametrize("width", [1400, 390])
def test_html_fits_desktop_and_phone_with_every_status_visible(packs, published, width, tmp_path):
    html_path = packs[0]["Thames Valley"].folder / "milestone-pack.html"
    r = _in_browser(html_path, width, tmp_path)
    assert r["width"] == width
    assert r["scroll"] <= width, f"page scrolls sideways at {width} px ({r['scroll']} px wide)"
    assert not r["hidden"], f"status or reason not visible at {width} px: {r['hidden']}"
    ids = [
        x[0]
        for x in published.execute(
            "select milestone_id from reference.milestones where area_code = 'E23000029' order by 1"
        ).fetchall()
    ]
    assert sorted(r["ids"]) == ids
    if width >= 1400:
        assert not r["cut"], f"tables cut at {width} px: {r['cut']}"


def test_page_one_names_statuses_changed_since_the_last_publication(copy_of_built):
    """An earlier publication in milestone_status_history with TVP-01 in another status: page one says so."""
    from warehouse.core import db
    from warehouse.core.config import paths
    from warehouse.publish import publication, versions
    from warehouse.report import data as data_mod
    from warehouse.report.pack import _summary
    from warehouse.report.tables import milestone_table, status_counts

    # Written in the working file and published as a new version: a write to the served file itself
    # would be undone (versions.served() puts the kept copy back).
    before = "the earlier status"
    with db.writer() as con:
        cols = {
            r[0]
            for r in con.execute(
                "select column_name from information_schema.columns where table_name = 'milestone_status_history'"
            ).fetchall()
        }
        col = "status" if "status" in cols else "rag_status"
        now = con.execute(
            f"select {col} from marts.milestone_status_history where milestone_id = 'TVP-01' "
            "order by built_at desc limit 1"
        ).fetchall()[0][0]
        con.execute(
            f"""insert into marts.milestone_status_history
            select * replace (built_at - interval 30 day as built_at,
                              case when milestone_id = 'TVP-01' then ? else {col} end as {col})
            from marts.milestone_status_history
            where built_at = (select max(built_at) from marts.milestone_status_history)""",
            [before],
        )
        version = versions.record_publication(con, "test: an earlier status in the history", {})
    publication.publish_file(paths().working, version)
    d = data_mod.load("Thames Valley", AS_AT)
    assert d.changes[["milestone_id", "before", "now"]].values.tolist() == [["TVP-01", before, now]]
    mt = milestone_table(d)
    lines = _summary(d, mt, status_counts(mt))
    assert any(f"TVP-01 {before} \u2192 {now}" in ln for ln in lines), lines


def test_charts_name_sample_and_process_limits_in_the_legend(packs, published):
    html_text = (packs[0]["Thames Valley"].folder / "milestone-pack.html").read_text()
    by_id = {
        mid: svg for svg, mid in re.findall(r"<figure>(.*?)<figcaption class='foot'>([A-Z]+-\d+):", html_text, re.S)
    }
    assert by_id
    sample = {
        r[0]
        for r in published.execute(
            "select distinct milestone_id from marts.milestone_spc where area_code = 'E23000029' and is_sample "
            "and period_end <= ?",
            [AS_AT],
        ).fetchall()
    }
    limits = {
        r[0]
        for r in published.execute(
            "select distinct milestone_id from marts.milestone_spc where area_code = 'E23000029' "
            "and upper_limit is not null and period_end <= ?",
            [AS_AT],
        ).fetchall()
    }
    assert sample and limits
    for mid, svg in by_id.items():
        assert ("SAMPLE figures" in svg) == (mid in sample), mid
        if mid not in sample:
            assert "Force figures" in svg, mid
        if mid in limits:
            assert "Process limits" in svg and "Mean" in svg, mid
