"""Benchmarks of the DTC platform (`make bench`, `make bench-NAME`, `SIZE=small` for CI).

Not tests: each benchmark prints one JSON line per measurement on stdout, starting with
`"bench": NAME`; progress and set-up timings go to stderr. See bench/README.md.
"""
