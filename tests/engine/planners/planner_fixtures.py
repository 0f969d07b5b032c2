"""Plans the scripted servers answer with (shared by the planner tests)."""

PLAN = {"category": "remove", "target": "cup", "caption": "a wooden table with nothing on it", "reason": "remove"}
ADD_PLAN = {"category": "addition", "target": "red ball", "caption": "a red ball on the table",
            "box": [16, 8, 32, 16], "reason": "new object"}
