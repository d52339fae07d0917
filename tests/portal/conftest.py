"""The portal's tests also read config/settings.py as production would load it."""

from tests.config.conftest import load_settings  # noqa: F401 (a fixture)
