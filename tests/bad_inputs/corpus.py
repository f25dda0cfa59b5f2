"""The bad-input corpus: each kind of bad file the warehouse must refuse or quarantine, generated from
the real bundled workforce CSV (its 31 March 2022 snapshot: 3,440 rows, 43 forces), and what it must
produce. ``python tests/bad_inputs/corpus.py OUT_DIR`` writes the files for a look by hand.

Each case gives the outcome under the shipped limits (official statistics are all-or-nothing, so a
bad row rejects the file) and, for row-level failures, under a 2% quarantine limit (the setting force
feeds use): the bad rows go to meta.quarantine and the rest are accepted.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

SOURCE = (
    Path(__file__).resolve().parents[2] / "seeds/sources/workforce/ho_police_workforce_open_data_mar2007_mar2022.csv"
)
TABLE = "home_office__workforce_open_data"
COL = {
    n: i
    for i, n in enumerate(
        "date,geo_code,force_name,region,sex,rank_description,worker_type,total_headcount,total_fte".split(",")
    )
}


def base() -> tuple[list[str], list[list[str]]]:
    with open(SOURCE, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], [r for r in rows[1:] if r[0] == "2022-03-01"]


def to_csv(header, rows, delimiter=",") -> bytes:
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    if header is not None:
        w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode()


def set_value(row_no: int, column: str, value: str):
    """Change one field of data row ``row_no`` (1 = first row under the header)."""

    def make(header, rows):
        rows = [list(r) for r in rows]
        rows[row_no - 1][COL[column]] = value
        return to_csv(header, rows)

    return make


@dataclass(frozen=True)
class Outcome:
    kind: str  # rejected | quarantined | accepted | unchanged
    says: tuple[str, ...] = ()  # text the error (rejected) or quarantine reasons (quarantined) must hold
    rows: int = 0  # quarantined rows


@dataclass(frozen=True)
class Case:
    name: str
    what: str
    make: object  # (header, rows) -> bytes
    default: Outcome
    loose: Outcome | None = None  # under a 2% quarantine limit (row-level failures only)
    suffix: str = ".csv"
    tags: tuple[str, ...] = field(default=())


def R(*says) -> Outcome:
    return Outcome("rejected", says)


def Q(rows, *says) -> Outcome:
    return Outcome("quarantined", says, rows)


def _gz(header, rows) -> bytes:
    return gzip.compress(to_csv(header, rows), mtime=0)


def _truncated_gz(header, rows) -> bytes:
    data = _gz(header, rows)
    return data[: len(data) * 2 // 3]


def _corrupt_gz(header, rows) -> bytes:
    data = bytearray(_gz(header, rows))
    mid = len(data) // 2
    data[mid : mid + 16] = bytes(b ^ 0xFF for b in data[mid : mid + 16])
    return bytes(data)


def _cp1252(header, rows) -> bytes:
    rows = [list(r) for r in rows]
    rows[4][COL["rank_description"]] = "Chief Inspector \u2013 acting"  # an en dash, 0x96 in Windows-1252
    return to_csv(header, rows).decode().encode("cp1252")


def _merged_header(header, rows) -> bytes:
    title = ["Police workforce, England and Wales, 31 March 2022"] + [""] * (len(header) - 1)
    groups = ["", "Force", "", "", "", "", "", "Totals", ""]  # merged cells exported as one value then blanks
    return to_csv(title, [groups, header] + rows)


def _shuffle(header, rows) -> bytes:
    rows = list(rows)
    random.Random(8).shuffle(rows)
    return to_csv(header, rows)


def _drop_column(name):
    def make(header, rows):
        i = COL[name]
        return to_csv(
            [h for j, h in enumerate(header) if j != i], [[v for j, v in enumerate(r) if j != i] for r in rows]
        )

    return make


def _utf16(header, rows) -> bytes:
    return to_csv(header, rows).decode().encode("utf-16")  # Excel's "Unicode text": a BOM and NUL bytes


def _overlong_last_line(header, rows) -> bytes:
    """A last row longer than input.max_line_bytes (1 MiB): rejected, never silently dropped."""
    last = ["2022-03-01", "E23000029", "Thames Valley" + "x" * (1 << 20)] + rows[-1][3:]
    return to_csv(header, rows + [last])


def _many_negative(header, rows) -> bytes:
    rows = [list(r) for r in rows]
    for r in rows[:100]:
        r[COL["total_headcount"]] = "-1"
    return to_csv(header, rows)


CASES: list[Case] = [
    Case("empty_file", "zero bytes", lambda h, r: b"", R("the file is empty")),
    Case("blank_lines", "only newlines", lambda h, r: b"\n\n\n", R("the file is empty")),
    Case("header_only", "the header and no data", lambda h, r: to_csv(h, []), R("header but no data rows")),
    Case("semicolon_delimited", "';' instead of ','", lambda h, r: to_csv(h, r, ";"), R("semicolon-delimited")),
    Case("tab_delimited", "a TSV named .csv", lambda h, r: to_csv(h, r, "\t"), R("tab-delimited")),
    Case(
        "utf8_bom",
        "UTF-8 with a byte-order mark (Excel's 'CSV UTF-8')",
        lambda h, r: b"\xef\xbb\xbf" + to_csv(h, r),
        Outcome("accepted"),
    ),
    Case("windows_1252", "saved as Windows-1252 (an en dash)", _cp1252, R("line 6", "not UTF-8", "0x96")),
    Case("missing_column", "total_fte left out", _drop_column("total_fte"), R("missing column(s) ['total_fte']")),
    Case(
        "extra_column",
        "a notes column added",
        lambda h, r: to_csv(h + ["notes"], [x + [""] for x in r]),
        R("unexpected column(s) ['notes']"),
    ),
    Case(
        "renamed_column",
        "total_headcount renamed headcount",
        lambda h, r: to_csv([("headcount" if c == "total_headcount" else c) for c in h], r),
        R("missing column(s) ['total_headcount']", "unexpected column(s) ['headcount']"),
    ),
    Case(
        "reordered_columns",
        "two columns swapped",
        lambda h, r: to_csv([h[1], h[0]] + h[2:], [[x[1], x[0]] + x[2:] for x in r]),
        R("wrong order"),
    ),
    Case(
        "ragged_row",
        "one row with an extra field",
        lambda h, r: to_csv(h, r[:9] + [r[9] + ["surplus"]] + r[10:]),
        R(
            "could not be read",
            "home_office__workforce_open_data",
            "line 11 (data row 10): 10 fields where the contract has 9 columns",
        ),
    ),
    Case(
        "merged_header",
        "a spreadsheet export: title row and merged group header above the columns",
        _merged_header,
        R("column names are on line 3"),
    ),
    Case(
        "duplicate_key",
        "one row delivered twice",
        lambda h, r: to_csv(h, r[:11] + [r[10]] + r[11:]),
        R("expect_compound_columns_to_be_unique", "rows 11, 12"),
        Q(2, "expect_compound_columns_to_be_unique"),
    ),
    Case(
        "negative_count",
        "headcount -5 in one row",
        set_value(101, "total_headcount", "-5"),
        R("expect_column_values_to_be_between", "total_headcount", "rows 101", "-5"),
        Q(1, "expect_column_values_to_be_between"),
    ),
    Case(
        "fte_above_headcount",
        "FTE 900 against a headcount of 8",
        set_value(1, "total_fte", "900"),
        R("expect_column_pair_values_a_to_be_greater_than_b", "total_headcount vs total_fte", "rows 1"),
        Q(1, "expect_column_pair_values_a_to_be_greater_than_b"),
    ),
    Case(
        "future_date",
        "a snapshot dated 2099",
        set_value(7, "date", "2099-03-01"),
        R("expect_column_values_to_be_between", "column date", "rows 7", "2099-03-01"),
        Q(1, "expect_column_values_to_be_between"),
    ),
    Case(
        "impossible_date",
        "30 February",
        set_value(7, "date", "2022-02-30"),
        R("column 'date' expects date", "row 7: '2022-02-30'"),
        Q(1, "not a date value"),
    ),
    Case(
        "unknown_force_code",
        "a code no force has (matches the pattern)",
        set_value(3, "geo_code", "E23999999"),
        R("expected {'column': 'geo_code', 'equals': 43} distinct geo_code per date", "2022-03-01: 44"),
    ),
    Case(
        "older_geography_code",
        "a pre-2011 force code ('01', Metropolitan) instead of E23000001",
        set_value(3, "geo_code", "01"),
        R("expect_column_values_to_match_regex", "geo_code", "rows 3", "(E23|W15)"),
        Q(1, "expect_column_values_to_match_regex"),
    ),
    Case(
        "text_in_number",
        "'twelve' in a count",
        set_value(12, "total_headcount", "twelve"),
        R("column 'total_headcount' expects integer", "row 12: 'twelve'"),
        Q(1, "not a integer value"),
    ),
    Case(
        "thousands_separator",
        "'1,234' in a count",
        set_value(12, "total_headcount", "1,234"),
        R("row 12: '1,234'", "thousands separators"),
        Q(1, "thousands separators"),
    ),
    Case(
        "footnote_x",
        "'[x]' (not available) in a count",
        set_value(12, "total_headcount", "[x]"),
        R("row 12: '[x]'", "footnote or suppression marker"),
        Q(1, "footnote"),
    ),
    Case(
        "footnote_dots",
        "'..' in an FTE",
        set_value(12, "total_fte", ".."),
        R("column 'total_fte' expects double", "row 12: '..'", "footnote"),
        Q(1, "footnote"),
    ),
    Case(
        "footnote_star",
        "'8*' (a footnoted figure) in a count",
        set_value(12, "total_headcount", "8*"),
        R("row 12: '8*'", "footnote"),
        Q(1, "footnote"),
    ),
    Case(
        "totals_row",
        "an England and Wales total row inside the data",
        lambda h, r: to_csv(
            h,
            r[:50]
            + [["2022-03-01", "", "England and Wales", "", "", "Total", "police officer", "142526", "140228"]]
            + r[50:],
        ),
        R("rows 51", "geo_code"),
        Q(1, "expect_column_values_to_not_be_null"),
    ),
    Case(
        "unknown_category",
        "worker type 'police dog'",
        set_value(20, "worker_type", "police dog"),
        R("expect_column_values_to_be_in_set", "rows 20", "police dog"),
        Q(1, "expect_column_values_to_be_in_set"),
    ),
    Case(
        "missing_required_value",
        "a blank sex",
        set_value(20, "sex", ""),
        R("expect_column_values_to_not_be_null", "column sex", "rows 20"),
        Q(1, "expect_column_values_to_not_be_null"),
    ),
    Case(
        "formula_text",
        "=HYPERLINK(...) in a name",
        set_value(30, "rank_description", '=HYPERLINK("http://example.invalid","Constable")'),
        R("column 'rank_description'", "row 30", "formula-like text"),
        Q(1, "formula-like text"),
    ),
    Case(
        "sql_text",
        "SQL-looking text in a name: data, never code (stored verbatim, nothing dropped)",
        set_value(30, "force_name", "Avon'); DROP TABLE raw.home_office__workforce_open_data; --"),
        Outcome("accepted"),
    ),
    Case(
        "too_many_bad_rows",
        "100 of 3,440 rows negative (2.9%)",
        _many_negative,
        R("100 of 3,440 data rows", "limit for home_office__workforce_open_data is 0.0%"),
        R("100 of 3,440 data rows", "limit for home_office__workforce_open_data is 2.0%"),
    ),
    Case("months_out_of_order", "rows shuffled", _shuffle, Outcome("accepted")),
    Case(
        "restated_period",
        "a later edition of the 2022 snapshot with one figure revised",
        set_value(1, "total_headcount", "9"),
        Outcome("accepted"),
    ),
    Case(
        "same_file_twice",
        "the bundled file delivered again under another name",
        lambda h, r: SOURCE.read_bytes(),
        Outcome("unchanged"),
    ),
    # issue 15, kind 3: numbers read strictly (a count takes digits only; a double a finite number)
    Case(
        "decimal_in_count",
        "'251.6' in a count (was published as 252)",
        set_value(12, "total_headcount", "251.6"),
        R("column 'total_headcount' expects integer values (a whole number in digits", "row 12: '251.6'"),
        Q(1, "not a integer value (expected a whole number in digits"),
    ),
    Case(
        "exponent_in_count",
        "'1e3' in a count (was published as 1000)",
        set_value(12, "total_headcount", "1e3"),
        R("row 12: '1e3'"),
        Q(1, "not a integer value"),
    ),
    Case(
        "whole_decimal_in_count",
        "'8.0' in a count",
        set_value(12, "total_headcount", "8.0"),
        R("row 12: '8.0'"),
        Q(1, "not a integer value"),
    ),
    Case(
        "infinite_double",
        "'Infinity' in an FTE",
        set_value(12, "total_fte", "Infinity"),
        R("column 'total_fte' expects double values (a finite number", "row 12: 'Infinity'"),
        Q(1, "not a double value"),
    ),
    Case(
        "absurd_double",
        "'1e308' in an FTE",
        set_value(12, "total_fte", "1e308"),
        R("row 12: '1e308'"),
        Q(1, "not a double value"),
    ),
    # issue 15, kinds 1 and 4: encodings and sizes a strict reader refuses with the true reason
    Case("utf16", "saved as UTF-16 ('Unicode text')", _utf16, R("the file is UTF-16 text", "expected UTF-8")),
    Case("nul_bytes", "100 KB of NUL bytes", lambda h, r: b"\0" * 100_000, R("a NUL byte at offset 0", "binary")),
    Case(
        "nul_after_header",
        "a header, then binary",
        lambda h, r: to_csv(h, r[:5]) + b"\0\1\2" * 1000,
        R("line 7: a NUL byte", "binary content"),
    ),
    Case(
        "overlong_last_line",
        "a last line over 1 MiB (was silently dropped)",
        _overlong_last_line,
        R("line 3442 is longer than 1,048,576 bytes", "input.max_line_bytes"),
    ),
    Case("gzip", "a good .csv.gz", _gz, Outcome("accepted"), suffix=".csv.gz"),
    Case(
        "truncated_gzip",
        "a .csv.gz cut short in transfer",
        _truncated_gz,
        R("truncated or corrupt gzip"),
        suffix=".csv.gz",
    ),
    Case(
        "corrupt_gzip", "a .csv.gz with 16 bytes flipped", _corrupt_gz, R("truncated or corrupt gzip"), suffix=".csv.gz"
    ),
]


def write(case: Case, folder: Path) -> Path:
    header, rows = base()
    path = Path(folder) / f"{case.name}{case.suffix}"
    path.write_bytes(case.make(header, rows))
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "bad_inputs_out")
    out.mkdir(parents=True, exist_ok=True)
    for c in CASES:
        print(write(c, out), "-", c.what)
