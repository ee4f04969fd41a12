"""Write normgraph/data/world_map.csv: one SVG path per state, in the Equal Earth projection, from Natural Earth's
1:110m Admin 0 countries (public domain) as the npm package world-atlas 2.0.2 (ISC) ships them in TopoJSON.

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python scripts/import_world_map.py package/countries-110m.json

Features are keyed by ISO 3166-1 numeric code and written under the alpha-3 code; the few without a code
(Kosovo, Northern Cyprus, Somaliland) are left out. Coordinates are rounded to a tenth of the 1000-unit-wide
frame; rings that cross the antimeridian are held at the edge of their side.
"""
from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

import pycountry

OUTPUT = Path(__file__).resolve().parents[1] / "normgraph" / "data" / "world_map.csv"
WIDTH = 1000.0
# Equal Earth (Šavrič, Patterson & Jenny 2018): its polynomial coefficients.
A1, A2, A3, A4 = 1.340264, -0.081106, 0.000893, 0.003796
M = math.sqrt(3) / 2


def equal_earth(longitude: float, latitude: float) -> tuple[float, float]:
    theta = math.asin(M * math.sin(math.radians(latitude)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = math.radians(longitude) * math.cos(theta) / (M * (A1 + 3 * A2 * t2 + t6 * (7 * A3 + 9 * A4 * t2)))
    y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2))
    return x, y


X_MAX = equal_earth(180, 0)[0]
Y_MAX = equal_earth(0, 90)[1]
SCALE = WIDTH / (2 * X_MAX)


def frame(longitude: float, latitude: float) -> tuple[float, float]:
    x, y = equal_earth(longitude, latitude)
    return round((x + X_MAX) * SCALE, 1), round((Y_MAX - y) * SCALE, 1)


def decoded_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(arcs: list, indices: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def unwrapped(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """A ring that crosses the antimeridian (Russia's Chukotka, Fiji) jumps from 180 to -180 and would be drawn
    as a stripe across the map: its points on the far side are held at the edge of its own side."""
    if not any(abs(a[0] - b[0]) > 180 for a, b in zip(points, points[1:])):
        return points
    east = sum(lon for lon, _ in points) >= 0
    return [(180.0 if east else -180.0, lat) if (lon < 0) == east else (lon, lat) for lon, lat in points]


def svg_path(arcs: list, geometry: dict) -> str:
    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    parts = []
    for polygon in polygons:
        for indices in polygon:
            points = [frame(lon, lat) for lon, lat in unwrapped(ring(arcs, indices))]
            parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z")
    return "".join(parts)


def main(source: Path) -> None:
    topology = json.loads(source.read_text(encoding="utf-8"))
    arcs = decoded_arcs(topology)
    rows = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        country = pycountry.countries.get(numeric=str(geometry.get("id", "")).zfill(3)) if geometry.get("id") else None
        if country is None or geometry["type"] not in ("Polygon", "MultiPolygon"):
            continue
        rows.append({"iso3": country.alpha_3, "path": svg_path(arcs, geometry), "source": "NE_WORLD_ATLAS_110M"})
    rows.sort(key=lambda row: row["iso3"])
    with OUTPUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, ["iso3", "path", "source"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} states, frame {WIDTH:g} x {2 * Y_MAX * SCALE:.1f}, written to {OUTPUT}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
