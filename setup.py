"""Packaging details pyproject.toml cannot express: the top-level ``data/`` folder (demo data and the
labelled training sets) ships inside the wheel as ``lasna/_data`` so ``pip install .`` works without the
source tree. Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

DATA_PACKAGES = ["lasna._data", "lasna._data.demo", "lasna._data.labels"]

setup(
    packages=find_packages(include=["lasna*", "collectors*", "coaching*", "dashboard*"]) + DATA_PACKAGES,
    package_dir={"lasna._data": "data"},
    package_data={
        "lasna": ["store/migrations/*.py", "store/migrations/*.mako", "store/migrations/versions/*.py",
                  "store/alembic.ini"],
        "coaching": ["fonts/*.ttf", "fonts/LICENSE_DEJAVU"],
        "lasna._data.demo": ["demo.json.gz"],
        "lasna._data.labels": ["*.csv", "*.md"],
    },
)
