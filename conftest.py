"""Root pytest configuration (applies to tests/ and the doctests in skrrl/).

The networks and batched linear algebra in the test suite are tiny; with the
suite running on several pytest-xdist workers, multi-threaded BLAS/OpenMP only
oversubscribes the cores (measured: a tiny GRU fit takes 0.03 s CPU on one
thread against 0.7-1.0 s on two under load). One thread per worker.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def pytest_configure(config):
    import matplotlib

    matplotlib.use("Agg")
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        return
    torch.set_num_threads(1)
