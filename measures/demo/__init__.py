"""The demo: the three real roadmaps of `fixtures/seeds/` as curated in `fixtures/demo/`
(`seeds.py`), and the current year's roadmap with school reports in every state (`living.py`).
Loaded by `manage.py load_demo` (and `manage.py up`), through the services an import uses."""

from measures.demo.seeds import DEMO_PASSWORD, LoadSummary, load_demo

__all__ = ["DEMO_PASSWORD", "LoadSummary", "load_demo"]
