import pytest

from engine.backends import Backends
from engine.settings import Settings


@pytest.fixture
def settings(tmp_path):
    return Settings.load(env={}, data_dir=tmp_path / "home")


@pytest.fixture
def make_backends(settings):
    def make(**given):
        return Backends(settings, **given)

    return make
