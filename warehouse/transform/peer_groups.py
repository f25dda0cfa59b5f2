"""Peer groups of similar forces, rebuilt from the bundled ONS files in seeds/sources/peer_groups/.

HMICFRS's official "most similar groups" are not available offline, so the warehouse builds its own:
for every police force area, the K nearest other forces by (a) resident population, mid-2020, on a
log scale (a force of 2.4 million resembles one of 1.9 million more than one of 0.6 million), and
(b) ONS crime severity score, the mean of the years ending March 2018, 2019 and 2020 (three
pre-pandemic years, so one odd year does not move the group). Both features are standardised across
the 42 forces that have a score (City of London has none and is left out) and weighted equally;
distance is Euclidean. The result is checked in as seeds/reference/peer_groups.csv (a dbt seed);
tests/report/test_milestones.py checks the file still matches what this module produces.

    .venv/bin/python -m warehouse.transform.peer_groups      # rewrite seeds/reference/peer_groups.csv
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from warehouse.core.config import paths

PEERS = 7  # HMICFRS groups are a force plus about seven others
POPULATION_YEAR = 2020
SEVERITY_YEARS = (2018, 2019, 2020)
METHOD = (
    f"nearest {PEERS} forces by standardised log population (mid-{POPULATION_YEAR}) and mean crime "
    f"severity score (years ending March {SEVERITY_YEARS[0]}-{SEVERITY_YEARS[-1]}); built by warehouse/transform/peer_groups.py"
)


def features(folder: Path | None = None) -> pd.DataFrame:
    """One row per force: area_code, area_name, population, crime_severity_score."""
    folder = Path(folder or paths().bundled_sources / "peer_groups")
    lookup = pd.read_csv(folder / "ons_lad21_pfa21_lookup_dec2021.csv", dtype=str)
    pop = pd.read_csv(folder / "ons_mid_year_population_by_local_authority_2001_2020.csv", dtype={"code": str})
    # Two codes in the population file end in a non-breaking space; strip() removes it.
    pop["code"] = pop["code"].str.strip()
    pop = pop[pop["year"] == POPULATION_YEAR].merge(lookup, left_on="code", right_on="lad21cd", how="inner")
    population = pop.groupby("pfa21cd", as_index=False)["population"].sum()
    css = pd.read_csv(folder / "ons_crime_severity_score_by_pfa_ye_mar2003_2023.csv", na_values=["NA"])
    css = (
        css[css["year"].isin(SEVERITY_YEARS)]
        .groupby(["code", "name"], as_index=False)["score"]
        .mean()
        .rename(columns={"score": "crime_severity_score"})
    )
    out = population.merge(css, left_on="pfa21cd", right_on="code", how="inner")
    out = out.rename(columns={"pfa21cd": "area_code", "name": "area_name"})
    return out[["area_code", "area_name", "population", "crime_severity_score"]].dropna().reset_index(drop=True)


def build(folder: Path | None = None, k: int = PEERS) -> pd.DataFrame:
    """The peer-group table: one row per (force, peer), rank 1 = most similar."""
    f = features(folder)
    z = pd.DataFrame(
        {
            "pop": f["population"].map(math.log10),
            "css": f["crime_severity_score"],
        }
    )
    z = (z - z.mean()) / z.std(ddof=0)
    rows = []
    for i, a in f.iterrows():
        d = ((z - z.loc[i]) ** 2).sum(axis=1) ** 0.5
        d = d.drop(index=i).sort_values(kind="stable")
        for rank, (j, dist) in enumerate(d.head(k).items(), start=1):
            rows.append(
                {
                    "area_code": a["area_code"],
                    "peer_area_code": f.loc[j, "area_code"],
                    "peer_area_name": f.loc[j, "area_name"],
                    "peer_rank": rank,
                    "distance": round(dist, 4),
                    "peer_population": int(f.loc[j, "population"]),
                    "peer_crime_severity_score": round(f.loc[j, "crime_severity_score"], 3),
                    "method": METHOD,
                }
            )
    return pd.DataFrame(rows).sort_values(["area_code", "peer_rank"]).reset_index(drop=True)


def write(out: Path | None = None) -> Path:
    out = Path(out or paths().reference / "peer_groups.csv")
    build().to_csv(out, index=False, lineterminator="\n")
    return out


if __name__ == "__main__":
    print(write())
