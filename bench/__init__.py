"""The benchmark (bench/run.py) and its helpers."""
