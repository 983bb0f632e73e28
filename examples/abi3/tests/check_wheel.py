"""The wheel under test is one abi3 wheel, whatever Python tests it."""

import sys
from pathlib import Path

name = Path(sys.argv[1]).name
assert "-cp39-abi3-" in name, name
print(f"{name} is an abi3 wheel, tested on Python {sys.version.split()[0]}")
