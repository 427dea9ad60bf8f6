"""Signals of the submission workflow, so other apps react without the workflow knowing them.

``figures_received`` is sent with ``records=[...]`` whenever reported figures arrive for
review: a submission through the workflow, an import of a workbook or file, a city
administrator saving districts' yearly data. The data-quality app checks them on it.

``review_moved`` is sent with ``record``, ``user`` and ``move`` ("submitted", "returned" or
"approved") after a workflow move; the notifications app tells the people concerned.
"""

from __future__ import annotations

from django.dispatch import Signal

figures_received = Signal()
review_moved = Signal()
