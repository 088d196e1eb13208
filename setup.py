"""dm2s2_allennlp: DM2S2 (Deep Multi-Modal Sequence Sets, IEEE Access 2022) as an AllenNLP plugin.

The runtime stack is pinned in constraints.txt and installed by the Makefile (allennlp itself must be installed with
--no-deps on Python 3.11, see README); `install_requires` therefore only names what pip can check without fighting
AllenNLP's obsolete pins.
"""
from setuptools import find_packages, setup

setup(
    name="dm2s2_allennlp",
    version="0.1.0",
    description="DM2S2 and multimodal-as-tokens baselines as an AllenNLP plugin",
    long_description=open("README.md", encoding="utf-8").read(),
    long_description_content_type="text/markdown",
    packages=find_packages(include=["dm2s2_allennlp", "dm2s2_allennlp.*"]),
    python_requires=">=3.11",
    install_requires=["allennlp==2.10.1"],
    entry_points={"console_scripts": ["dm2s2=dm2s2_allennlp.__main__:main"]},
)
