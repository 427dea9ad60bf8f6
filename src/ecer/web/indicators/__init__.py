"""The indicator service: one answer for every target x area x year of the plan.

``service.evaluate`` returns, for each target, its value, the basis it is judged on, its
status against time progress, its warning level and the data version; the feeds
(``feeds``) obtain each target's figure the way the plan file says (``feed``). Every page,
export, report and command reads these; none computes a plan figure of its own.
"""
