"""Runtime context handed to every node: services, never checkpointed.

Whether an edit stops for review is NOT here: it is the edit's input (`EditInput.review`), so a
resumed run does what its resume value says whichever process resumes it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

from agent.versions import VersionStore
from tools.context import ToolContext


@dataclass(frozen=True)
class AgentContext:
    tools: ToolContext
    versions: VersionStore
    on_event: Callable[[str, dict], None] = field(default=lambda kind, data: None)
    judges: Mapping[str, object] = field(default_factory=dict)  # judges given by name (e.g. a ScriptedJudge)

    @property
    def settings(self):
        return self.tools.settings

    @property
    def store(self):
        return self.tools.store

    @property
    def backends(self):
        return self.tools.backends
