"""Run-time set-up: the numba kernels are compiled at set-up, and BLAS runs on one thread."""

from __future__ import annotations

import pytest

from infoflow import contagion, knowledge, pointprocess, warmup


def test_warm_compiles_every_kernel_the_chapters_call():
    pytest.importorskip("numba")
    spent = warmup.warm()
    assert set(spent) == {"batch Hawkes fit", "independent cascade", "threshold contagion", "knowledge barter"}
    for kernel in (pointprocess._batch, contagion._spread_nb, knowledge._recheck):
        assert kernel.signatures, kernel  # compiled for at least one argument type


def test_importing_the_package_limits_blas_to_one_thread():
    from threadpoolctl import threadpool_info

    import infoflow  # noqa: F401

    blas = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    assert blas, "numpy and scipy ship OpenBLAS; none was found"
    assert all(lib["num_threads"] == 1 for lib in blas), blas
