"""Time `normgraph applies`: one case as a whole process (target <= 1.5 s) and 1,000 cases in one call
from a JSON-lines file (target <= 30 s).

    python bench/bench_applies.py
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from importlib import resources
from pathlib import Path

STATES = ["NPL", "QAT", "IND", "BGD", "MYS", "PHL", "SAU", "ITA", "MDA", "UZB", "BOL", "FRA", "USA", "NGA", "ARG"]
MEANS = ["deception", "debt_bondage", "retention_of_identity_documents", "threat", "fraud"]
INVOLUNTARINESS = ["excessive_overtime", "no_freedom_to_leave", "abusive_conditions"]
COERCION = ["withholding_of_wages", "isolation", "threat_of_denunciation"]
COMPULSORY = [None, {"kind": "prison_labour", "court_conviction": True, "private_parties": True},
              {"kind": "military_service", "purely_military": True}, {"kind": "other", "purpose": "economic_development"}]


def random_case(rng: random.Random, number: int) -> dict:
    return {"id": f"case-{number}", "date": f"{rng.randrange(2005, 2025)}-0{rng.randrange(1, 9)}-15",
            "person": {"age": rng.randrange(8, 60), "nationality": rng.choice(STATES)},
            "work_country": rng.choice(STATES), "hazardous": rng.random() < 0.2, "light_work": rng.random() < 0.1,
            "movement": {"cross_border": rng.random() < 0.5}, "acts": rng.sample(["recruitment", "transportation"], 1),
            "means": rng.sample(MEANS, rng.randrange(0, 3)), "involuntariness": rng.sample(INVOLUNTARINESS, rng.randrange(0, 2)),
            "coercion": rng.sample(COERCION, rng.randrange(0, 2)), "sector": rng.choice(["domestic_work", "agriculture"]),
            "recruitment": {"by": rng.choice(["none", "private_agency", "individual"]), "fees_charged_to_worker": rng.random() < 0.5},
            **({"compulsory_work": work} if (work := rng.choice(COMPULSORY)) else {})}


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "normgraph", "applies", *args], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    example = resources.files("normgraph.cases").joinpath("examples/nepal-domestic-worker.yaml")
    subprocess.run([sys.executable, "-m", "normgraph", "country", "NPL"], check=True, capture_output=True)
    single = sorted(timed([str(example), "--format", "json"]) for _ in range(5))[2]
    rng = random.Random(87)
    with tempfile.TemporaryDirectory() as folder:
        cases = Path(folder) / "cases.jsonl"
        cases.write_text("\n".join(json.dumps(random_case(rng, n)) for n in range(1000)), encoding="utf-8")
        batch = timed([str(cases), "--format", "json"])
    print(f"one case, whole process: {single:.2f} s (target 1.5 s)")
    print(f"1,000 cases in one call: {batch:.1f} s (target 30 s)")


if __name__ == "__main__":
    main()
