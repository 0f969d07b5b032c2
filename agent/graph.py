"""The agent graph. Only wiring here: nodes in agent/nodes, routers in agent/routers.

  START → replan → plan → ground → inpaint → blend → verify → review → commit → END   (single-call)
                                    └→ adjust ─────────↗   (plans with photometric `operations`)
  START → replan → act ───────────────────────────→ verify → review → commit → END   (tool-calling)
  ground (nothing found) / verify (a judge rejects) / review (a person rejects) → replan: the policy
  (engine.replan) sets what the next attempt changes, or says nothing can change → offer.
  verify (budget spent) / replan (nothing to change) → offer: the best attempt for review or commit.
"""
from __future__ import annotations

from functools import partial

from langgraph.graph import END, START, StateGraph

from agent import routers
from agent.context import AgentContext
from agent.nodes.act import act
from agent.nodes.adjust import adjust
from agent.nodes.blend import blend
from agent.nodes.commit import commit
from agent.nodes.ground import ground
from agent.nodes.inpaint import inpaint
from agent.nodes.offer import offer
from agent.nodes.plan import plan
from agent.nodes.replan import replan
from agent.nodes.review import review
from agent.nodes.verify import verify
from agent.state import EditInput, EditState


def build_graph(mode: str = "single-call", retry_budget: int = 2, checkpointer=None, exhausted: str = "review"):
    g = StateGraph(EditState, context_schema=AgentContext, input_schema=EditInput)
    for name, fn in [("replan", replan), ("plan", plan), ("act", act), ("ground", ground), ("inpaint", inpaint),
                     ("blend", blend), ("adjust", adjust), ("verify", verify), ("review", review), ("offer", offer),
                     ("commit", commit)]:
        g.add_node(name, fn)
    g.add_edge(START, "replan")
    g.add_conditional_edges("replan", partial(routers.after_replan, mode=mode), ["plan", "act", "offer"])
    g.add_conditional_edges("plan", routers.after_plan, ["ground"])
    g.add_conditional_edges("ground", routers.after_ground, ["inpaint", "adjust", "replan"])
    g.add_edge("adjust", "verify")
    g.add_edge("inpaint", "blend")
    g.add_edge("blend", "verify")
    g.add_edge("act", "verify")
    g.add_conditional_edges("verify", partial(routers.after_verify, budget=retry_budget), ["review", "replan", "offer"])
    g.add_conditional_edges("review", partial(routers.after_review, budget=retry_budget), ["commit", "replan", END])
    g.add_conditional_edges("offer", partial(routers.after_offer, exhausted=exhausted), ["review", "commit", END])
    g.add_edge("commit", END)
    return g.compile(checkpointer=checkpointer)
