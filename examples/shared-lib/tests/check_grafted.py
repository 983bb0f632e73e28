"""auditwheel must have grafted libyaml into the wheel (<dist>.libs/libyaml-*.so*)."""

import sys
import zipfile

with zipfile.ZipFile(sys.argv[1]) as wheel:
    grafted = [n for n in wheel.namelist() if ".libs/libyaml" in n]
assert grafted, f"libyaml was not grafted into {sys.argv[1]}"
print("grafted:", ", ".join(grafted))
