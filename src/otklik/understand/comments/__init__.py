"""Stored comment analytics: enrichment tables, the analysis run, corrections,
theme discovery and the explorer's queries (built on `otklik.understand.text`)."""
