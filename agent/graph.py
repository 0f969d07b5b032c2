"""The agent graph. Only wiring here: nodes in agent/nodes, routers in agent/routers.

  START → plan → ground → inpaint → blend → verify → review → commit → END     (single-call)
                       └→ adjust ──────────↗  (plans with photo `operations`)
  START → act ─────────────────────────────→ verify → review → commit → END     (tool-calling)
  ground (nothing found) / verify (rejected) / review (rejected) → retry → plan | act
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
from agent.nodes.plan import plan
from agent.nodes.retry import retry
from agent.nodes.review import review
from agent.nodes.verify import verify
from agent.state import EditState


def build_graph(mode: str = "single-call", retry_budget: int = 2, checkpointer=None):
    g = StateGraph(EditState, context_schema=AgentContext)
    for name, fn in [("plan", plan), ("act", act), ("ground", ground), ("inpaint", inpaint), ("blend", blend),
                     ("adjust", adjust),
                     ("verify", verify), ("review", review), ("retry", retry), ("commit", commit)]:
        g.add_node(name, fn)
    first = partial(routers.start, mode=mode)
    g.add_conditional_edges(START, first, ["plan", "act"])
    g.add_edge("plan", "ground")
    g.add_conditional_edges("ground", routers.after_ground, ["inpaint", "adjust", "retry"])
    g.add_edge("adjust", "verify")
    g.add_edge("inpaint", "blend")
    g.add_edge("blend", "verify")
    g.add_edge("act", "verify")
    g.add_conditional_edges("verify", partial(routers.after_verify, budget=retry_budget), ["review", "retry"])
    g.add_conditional_edges("review", partial(routers.after_review, budget=retry_budget),
                            ["commit", "retry", END])
    g.add_conditional_edges("retry", first, ["plan", "act"])
    g.add_edge("commit", END)
    return g.compile(checkpointer=checkpointer)
