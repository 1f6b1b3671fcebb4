"""Otklik: open-source, self-hosted Customer Experience Management.

Listen (collect feedback) → Understand (metrics, text, journey map) →
Act (cases, initiatives, recognition) → Measure & monitor (dashboards, alerts).
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
