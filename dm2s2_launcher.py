"""The ``dm2s2`` console script's first step, outside the package so that it runs before torch is imported: OpenMP's
waiting policy is read once, when torch loads its OpenMP runtime. Unless the environment says otherwise it is
``OMP_WAIT_POLICY=PASSIVE``: a waiting thread sleeps instead of spinning, so two jobs on one machine do not take each
other's cores for their spinning threads (``benchmarks/two_jobs.py``: the recipe's training step beside a second one
took 3.8-6.9 times its time alone with libgomp's default spinning, 1.4-1.9 times with PASSIVE, and alone the same
within noise). Then it runs ``dm2s2_allennlp.__main__.main``."""
import os


def main() -> None:
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from dm2s2_allennlp.__main__ import main as run

    run()
