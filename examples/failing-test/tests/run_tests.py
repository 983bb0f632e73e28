"""Fails on purpose, so a run shows what a failing test does to the run.

By default the test fails for every identifier. Set FAIL_ON (e.g. through test-environment) to
a space-separated list of build identifiers to fail only those, so that earlier identifiers'
wheels are delivered before the failure.
"""

import os
import sys

import failing

identifier = os.environ.get("CIBUILDWHEEL_BUILD_IDENTIFIER", "")
fail_on = os.environ.get("FAIL_ON", "all").split()
if "all" in fail_on or identifier in fail_on:
    print(f"{identifier}: answer() is {failing.answer()}, expected 42: failing on purpose")
    sys.exit(1)
print(f"{identifier}: not in FAIL_ON={fail_on}, passing")
