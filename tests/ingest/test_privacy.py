"""Person-level ids are never pseudonymised with the public development key unless they are SAMPLE ids."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest


def _specials_file(tmp_path, month: int = 1):
    from warehouse import samples

    files = list(samples.write_feed("specials", ["Leicestershire"], dt.date(2022, month, 1),
                                    dt.date(2022, month, 28), 42, tmp_path / "feed", 1.0))
    assert len(files) == 1
    return files[0]


def test_real_person_level_ids_are_refused_without_a_key(var_dir, tmp_path, monkeypatch):
    from warehouse.core import contracts, db
    from warehouse.ingest import load, pseudonymise

    monkeypatch.delenv("PCP_PSEUDONYM_KEY", raising=False)
    sample_contract = contracts.get("force_feeds__specials_monthly")
    real = dataclasses.replace(sample_contract, meta={**sample_contract.meta, "is_sample": False})
    path = _specials_file(tmp_path)
    with db.writer() as con:
        with pytest.raises(pseudonymise.PseudonymKeyError,
                           match="PCP_PSEUDONYM_KEY is not set: refusing to pseudonymise the person-level ids of "
                                 "force_feeds__specials_monthly with the public development key"):
            load.load_file(con, real, path)
        assert con.execute("select count(*) from meta.loads where status = 'accepted'").fetchone()[0] == 0

        monkeypatch.setattr(pseudonymise, "_warned", True)  # the SAMPLE file itself still loads with the dev key
        assert load.load_file(con, sample_contract, path).status == "loaded"

    monkeypatch.setenv("PCP_PSEUDONYM_KEY", "a-secret-kept-elsewhere")
    with db.writer() as con:  # with a secret key, real ids load
        assert load.load_file(con, real, _specials_file(tmp_path / "february", 2)).status == "loaded"
