"""Graph nodes: `(state, runtime) -> partial state update`."""
