"""setup.py for tools and habits that expect one (`python setup.py --name`, older pip flows). Everything -- name,
version, requirements, extras, the `dm2s2` console script -- is read by setuptools from pyproject.toml, the one place
it is written; see that file's header for how the package is installed beside AllenNLP."""
from setuptools import setup

setup()
