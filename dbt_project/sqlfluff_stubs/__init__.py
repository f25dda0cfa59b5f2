"""Stand-ins for the dbt context that sqlfluff's jinja templater lacks (.sqlfluff: library_path).

Only for linting: the SQL these render is parsed, never run.
"""

import datetime as _dt

invocation_id = "00000000-0000-0000-0000-000000000000"
run_started_at = _dt.datetime(2026, 1, 1)


class _Table:
    class _Column:
        def values(self):
            return [1]

    columns = [_Column()]


class exceptions:  # noqa: N801 - dbt's name
    """dbt's exceptions namespace: a compile-time refusal in a macro fails the lint with its message."""

    @staticmethod
    def raise_compiler_error(msg):
        raise RuntimeError(msg)


def run_query(sql):
    """dbt's run_query: a one-row, one-column table (a load id) so the incremental branch renders."""
    return _Table()


def var(name, default=None):
    """dbt's var: the value in dbt_project.yml (sqlfluff's builtin returns a placeholder string)."""
    import pathlib

    import yaml

    found = yaml.safe_load((pathlib.Path(__file__).parent.parent / "dbt_project.yml").read_text())["vars"]
    return found.get(name, default)
