# Re-exported for modules that import it from here; the fixtures live in tests/conftest.py.
from tests.conftest import restore_reference_data  # noqa: F401
