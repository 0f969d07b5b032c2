"""Test settings: offline always; tiny models are built in-process by the tests themselves."""
import os

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
for key in ("OPENAI_BASE_URL", "OPENAI_API_KEY"):
    os.environ.pop(key, None)
for key in [k for k in os.environ if k.startswith("BRUSHEDIT_")]:
    os.environ.pop(key)
