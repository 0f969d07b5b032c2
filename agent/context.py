"""Runtime context handed to every node: services, never checkpointed."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from agent.versions import VersionStore
from tools.context import ToolContext


@dataclass(frozen=True)
class AgentContext:
    tools: ToolContext
    versions: VersionStore
    interactive: bool = False  # review() pauses for a person (LangGraph interrupt)
    on_event: Callable[[str, dict], None] = field(default=lambda kind, data: None)

    @property
    def settings(self):
        return self.tools.settings

    @property
    def store(self):
        return self.tools.store
