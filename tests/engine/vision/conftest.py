"""Tiny models shared by the vision tests, built once per session (per xdist worker)."""
import pytest

from tiny_models import save_tiny_grounding_dino, save_tiny_sam


@pytest.fixture(scope="session")
def tiny_gd_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny-grounding-dino")
    save_tiny_grounding_dino(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_sam_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny-sam")
    save_tiny_sam(folder)
    return folder
