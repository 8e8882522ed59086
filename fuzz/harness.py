"""One atheris fuzz target in this process: ``python -m fuzz.harness TARGET [libFuzzer args]``.

JudgePanel (and openpyxl, which reads XLSX for it) is instrumented for coverage as it
is imported; the target runs every input libFuzzer makes, and anything it raises
other than a typed refusal ends the run with the input saved as a finding.
"""

from __future__ import annotations

import sys

import atheris


def main() -> None:
    name = sys.argv[1]
    with atheris.instrument_imports(include=["judgepanel", "openpyxl", "fuzz"]):
        import openpyxl.reader.excel  # noqa: F401  (imported lazily by the product)

        from fuzz.targets import TARGETS, run_one
    target = TARGETS[name]

    def one_input(data: bytes) -> None:
        run_one(target, data)

    atheris.Setup([sys.argv[0], *sys.argv[2:]], one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
