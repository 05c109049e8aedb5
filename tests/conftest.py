"""Shared configuration for the whole suite."""

# pytester runs the sample user projects of tests/toolkit; pytest only honours pytest_plugins
# in the top-level conftest.
pytest_plugins = ["pytester"]
