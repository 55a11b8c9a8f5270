"""Run the official Peppol BIS Billing 3.0 rules on UBL files:
`python tests/invoicing/peppol/validate.py F.xml`.

Prints every failed rule; exits 1 when one is fatal. Needs the dev dependencies (saxonche, lxml).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from tests.invoicing.peppol.schematron import RuleSet  # noqa: E402


def main(paths: list[str]) -> int:
    rules, bad = RuleSet(), 0
    for path in paths:
        failures = rules.failed(Path(path).read_bytes())
        fatal = [f for f in failures if f.flag == "fatal"]
        bad += bool(fatal)
        print(f"{path}: {len(fatal)} fatal, {len(failures) - len(fatal)} warnings")
        for failure in failures:
            print(f"  {failure}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
