"""Hypothesis profiles ("ci" when CI is set: derandomized, no deadline); CI needs dot, chromium."""

import os
import shutil

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def pytest_sessionstart(session):
    """Under CI the system tools must be there: their tests must run, never skip."""
    if os.environ.get("CI"):
        tools = ("dot", "chromium", "chromedriver")
        missing = [tool for tool in tools if shutil.which(tool) is None]
        if missing:
            raise pytest.UsageError(
                f"CI is set but {', '.join(missing)} is missing: "
                "apt-get install graphviz chromium chromium-driver (see .ci/run)"
            )
