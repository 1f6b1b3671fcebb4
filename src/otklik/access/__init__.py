"""Who may do what: users (people, with roles), API keys (machines), passwords, rate limits.

Roles today: admin > analyst > viewer. ``User.unit_id`` is the hook for
unit-scoped access (a branch manager sees their branch and below).
"""
