"""The results of a run: per-build results, summary rows and the JSON build report."""
