"""Availability monitoring (W2/W3): the national veto 站点无法访问.

The rule (国办秘函〔2019〕19号): watch each home page for one week, at least 20 accesses a
day at intervals; an access still failing after 15 s is a failure; a site whose failures reach
5 % of all accesses (超过(含)5%) is vetoed.

* ``probe.py`` (no Django): one GET per home page, no retries, bounded concurrency.
* ``models.ProbeResult``: one row per access, never deleted (the evidence of a veto).
* ``availability.py``: ``record_probes`` stores outcomes; ``availability`` judges a week,
  and answers "not enough data" rather than judging a site on too few probes.
* ``govsite probe [--loop]``: the periodic job (``govsite.schedules`` lists it for Celery beat).
"""
