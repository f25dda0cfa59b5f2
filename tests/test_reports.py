"""Panel packs: opened with real readers and checked against marts.milestone_progress."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from html.parser import HTMLParser

import duckdb
import pandas as pd
import pytest

from warehouse.reports import suppression
from warehouse.reports.tables import DANGEROUS_PREFIXES, RAG_FILL, neutralise

AS_AT = dt.date(2023, 3, 24)


@pytest.fixture(scope="module")
def packs(built_var, tmp_path_factory):
    import os

    from warehouse.reports.pack import build_pack

    out = tmp_path_factory.mktemp("reports")
    old = os.environ.get("PCP_VAR_DIR")
    os.environ["PCP_VAR_DIR"] = str(built_var)
    try:
        return {f: build_pack(f, AS_AT, out_root=out / "a") for f in ("Thames Valley", "Leicestershire")}, \
               {f: build_pack(f, AS_AT, out_root=out / "b") for f in ("Thames Valley",)}
    finally:
        if old is None:
            os.environ.pop("PCP_VAR_DIR", None)
        else:
            os.environ["PCP_VAR_DIR"] = old


def _expected(published, area_code):
    return published.execute("""
        select * from marts.milestone_progress where area_code = ?
        and (coalesce(reporting_date, latest_date) is null or coalesce(reporting_date, latest_date) <= ?)
        qualify row_number() over (partition by milestone_id order by coalesce(reporting_date, latest_date) desc nulls last) = 1
        order by milestone_id""", [area_code, AS_AT]).df() if _has(published, "reporting_date") else \
        published.execute("""
        select * from marts.milestone_progress where area_code = ? and (latest_date is null or latest_date <= ?)
        qualify row_number() over (partition by milestone_id order by latest_date desc nulls last) = 1
        order by milestone_id""", [area_code, AS_AT]).df()


def _has(con, column):
    return bool(con.execute("select count(*) from information_schema.columns where table_schema='marts' and "
                            "table_name='milestone_progress' and column_name=?", [column]).fetchall()[0][0])


@pytest.mark.parametrize("force,area", [("Thames Valley", "E23000029"), ("Leicestershire", "E23000021")])
def test_xlsx_values_and_rag_fills_match_the_mart(packs, published, force, area):
    from openpyxl import load_workbook

    pack = packs[0][force]
    wb = load_workbook(pack.folder / "milestone-pack.xlsx")
    assert {"Milestones", "Notes"} <= set(wb.sheetnames)
    ws = wb["Milestones"]
    header = [c.value for c in ws[1]]
    assert ws.freeze_panes == "A2"
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
        if pd.notna(m.latest_value):
            assert row[col["Latest"]].value == pytest.approx(m.latest_value)
        if pd.notna(m.target_value):
            assert row[col["Target"]].value == pytest.approx(m.target_value)
        assert (row[col["Sample data"]].value == "SAMPLE") == bool(m.is_sample)
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
    assert "RAG rule" in first
    for i in range(len(pdf)):
        img = pdf[i].render(scale=1).to_pil().convert("L")
        img.save(tmp_path / f"page{i}.png")
        inked = sum(img.histogram()[:200])  # pixels clearly darker than the white page
        assert inked > 500, f"page {i + 1} is blank"


def test_same_inputs_give_the_same_report(packs):
    a, b = packs[0]["Thames Valley"].folder, packs[1]["Thames Valley"].folder
    for name in ("milestones.csv", "notes.csv", "milestone-pack.html", "milestone-pack.pdf"):
        assert hashlib.sha256((a / name).read_bytes()).hexdigest() == \
            hashlib.sha256((b / name).read_bytes()).hexdigest(), name


def test_csv_neutralises_formula_like_text():
    assert neutralise("=HYPERLINK(\"http://x\")") == "'=HYPERLINK(\"http://x\")"
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
    df = pd.DataFrame({"area_code": ["F"] * 4, "period_end": ["2023-01"] * 4,
                       "csp": ["a", "b", "c", "d"], "crimes": [4, 25, 12, 40]})
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
    df = pd.DataFrame({"area_code": ["F", "F"], "period_end": ["m", "m"], "csp": ["a", "b"],
                       "justice_outcomes": [18, 40], "outcome_charge_summons": [15, 20],
                       "outcome_out_of_court": [3, 20]})
    masks = suppression.suppression_masks(df, ["justice_outcomes", "outcome_charge_summons", "outcome_out_of_court"],
                                          [["area_code", "period_end"]],
                                          {"justice_outcomes": ["outcome_charge_summons", "outcome_out_of_court"]})
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
