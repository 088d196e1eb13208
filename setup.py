"""dm2s2_allennlp: DM2S2 (Deep Multi-Modal Sequence Sets, IEEE Access 2022) as an AllenNLP plugin.

The runtime stack is pinned in constraints.txt and installed by the Makefile (allennlp itself must be installed with
--no-deps on Python 3.11, see README). `install_requires` is therefore empty: naming allennlp would make pip resolve
AllenNLP's obsolete pins (torch<1.13, which has no Python 3.11 build) on every `pip install -e .[extra]`.
The optional extra ``vision`` (``allennlp extract-visual-features``) is listed in requirements-vision.txt.
"""
from setuptools import find_packages, setup

with open("requirements-vision.txt", encoding="utf-8") as handle:
    VISION = [line.strip() for line in handle if line.strip() and not line.startswith("#")]

setup(
    name="dm2s2_allennlp",
    version="0.1.0",
    description="DM2S2 and multimodal-as-tokens baselines as an AllenNLP plugin",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    packages=find_packages(include=["dm2s2_allennlp", "dm2s2_allennlp.*"]),
    python_requires=">=3.11",
    install_requires=[],
    extras_require={"vision": VISION},
    entry_points={"console_scripts": ["dm2s2=dm2s2_allennlp.__main__:main"]},
)
