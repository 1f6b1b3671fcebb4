"""The company side: unit hierarchy (company → region → branch/team) and employees.

Units scope access and own touchpoints; employees are credited when customers praise them.
"""
