"""Tabular NAS benchmarks: NAS-Bench-201 and NAS-Bench-101 tables, caches and queries.

Open a benchmark mode with :func:`ecgnas.nasbench.modes.open_benchmark`; its
``space`` samples, mutates and encodes architectures, and its ``query`` returns
a :class:`~ecgnas.nasbench.tabular.TableResult`.
"""
