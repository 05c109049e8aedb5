"""The toolkit tests use pytester (enabled in tests/conftest.py) to run sample user projects."""
