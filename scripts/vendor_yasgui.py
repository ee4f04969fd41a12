"""Vendor YASGUI (the SPARQL editor and result viewer endpoints use) into normgraph/web/static/yasgui, so that the
SPARQL page fetches nothing from elsewhere at run time. From the npm registry, unchanged:

    npm pack @zazuko/yasgui@4.6.2 && tar xzf zazuko-yasgui-4.6.2.tgz
    python scripts/vendor_yasgui.py package

Copies build/yasgui.min.js and build/yasgui.min.css and writes their licence note (MIT, from the package's
package.json) with the version and each file's SHA-256.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "normgraph" / "web" / "static" / "yasgui"
FILES = ("yasgui.min.js", "yasgui.min.css")


def main(package: Path) -> None:
    about = json.loads((package / "package.json").read_text(encoding="utf-8"))
    if about.get("license") != "MIT":
        raise SystemExit(f"{about['name']} is licensed {about.get('license')!r}, not MIT: check before vendoring")
    TARGET.mkdir(parents=True, exist_ok=True)
    digests = []
    for name in FILES:
        shutil.copyfile(package / "build" / name, TARGET / name)
        digests.append(f"- `{name}`: SHA-256 {hashlib.sha256((TARGET / name).read_bytes()).hexdigest()}")
    (TARGET / "LICENSE.md").write_text(
        f"# {about['name']} {about['version']}\n\nFrom the npm registry ({about['homepage']}), unchanged; "
        f"vendored by scripts/vendor_yasgui.py.\n\n" + "\n".join(digests) + "\n\n" + MIT, encoding="utf-8")


MIT = """## Licence: MIT (the package's package.json: author Triply, contributors Zazuko GmbH)

Copyright (c) Triply B.V. and Zazuko GmbH

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, including without limitation the
rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
permit persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of the
Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE
WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""

if __name__ == "__main__":
    main(Path(sys.argv[1]))
