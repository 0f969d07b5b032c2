"""Several candidates per attempt through the agent on tiny BrushNet: ONE batched pipeline call,
every candidate stored with the turn, the best by the judges' score proposed and committed."""
import sys

import numpy as np
import pytest

from agent.session import Session
from engine.backends import Backends, make_inpainter
from engine.settings import Settings
from engine.verification import ScriptedJudge
from helpers import PHOTO, ROOT, SPOON_BOX

sys.path.insert(0, str(ROOT / "tests" / "engine" / "diffusion"))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from diffusion_tiny import CountingPipe, save_tiny_brushnet

    root = tmp_path_factory.mktemp("cand")
    base, brushnet = save_tiny_brushnet(root)
    settings = Settings.load(env={}, data_dir=root / "home", profile="full", planner="rules", detector="none",
                             segmenter="box", base_model=str(base), brushnet_model=str(brushnet),
                             working_short_side=64, steps=2, device="cpu", verify="scripted", seed=40)
    inpainter = make_inpainter(settings)
    inpainter._pipe = CountingPipe(inpainter.pipeline)
    return settings, inpainter


def test_three_candidates_one_batched_call_ranked_by_the_judge(tiny):
    settings, inpainter = tiny
    judge = ScriptedJudge([{"ok": True, "score": s, "reason": f"score {s}"} for s in (0.2, 0.9, 0.5)])
    s = Session.new("c3", PHOTO, settings, backends=Backends(settings, inpainter=inpainter),
                    judges={"scripted": judge})
    out = s.edit("replace the cup with a bowl", box=(170, 20, 240, 260), candidates=3)
    assert inpainter._pipe.calls == [3]  # one pipeline call, a generator per candidate
    recs = s.attempts()
    assert [(a.candidate, a.seed, a.status) for a in recs] == [(0, 40, "candidate"), (1, 41, "committed"),
                                                                (2, 42, "candidate")]
    assert out.status == "committed" and out.version.attempt_id == recs[1].id and out.version.seed == 41
    assert out.version.image_id == recs[1].result_id and len(judge.cases) == 3
    images = [s.store.get_image(a.result_id) for a in recs]
    assert not np.array_equal(images[0], images[1]) and not np.array_equal(images[1], images[2])
    assert len({a.mask_id for a in recs}) == 1  # same attempt: one mask, three seeds


def test_a_rejected_attempt_of_candidates_replans_with_new_seeds_and_more_steps(tiny):
    settings, inpainter = tiny
    inpainter._pipe.calls.clear()
    judge = ScriptedJudge([{"ok": False, "problem": "artifact", "score": 0.45, "reason": "smear"},
                           {"ok": False, "problem": "artifact", "score": 0.1, "reason": "seam"},
                           {"ok": True, "score": 0.3}, {"ok": True, "score": 0.7}])
    s = Session.new("c2", PHOTO, settings, backends=Backends(settings, inpainter=inpainter),
                    judges={"scripted": judge})
    out = s.edit("replace the cup with a bowl", box=(170, 20, 240, 260), candidates=2)
    assert inpainter._pipe.calls == [2, 2]
    recs = s.attempts()
    assert [(a.n, a.candidate, a.seed, a.status) for a in recs] == [
        (0, 0, 40, "rejected"), (0, 1, 41, "candidate"), (1, 0, 42, "candidate"), (1, 1, 43, "committed")]
    assert recs[2].change == "artifact: seed 42..43, 12 steps" and out.version.attempt_id == recs[3].id
