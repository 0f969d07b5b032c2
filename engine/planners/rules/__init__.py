"""The offline rules planner (see planner.py); `import engine.planners.rules` loads only the standard
library, the plan schema and word lists."""
from engine.planners.rules.planner import RulesPlanner, parse

__all__ = ["RulesPlanner", "parse"]
