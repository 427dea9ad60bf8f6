"""Signals of the submission workflow, so other apps react without the workflow knowing them.

``figures_received`` is sent with ``records=[...]`` whenever reported figures arrive for
review: a submission through the workflow, an import of a workbook or file, a city
administrator saving districts' yearly data. The data-quality app checks them on it.
"""

from __future__ import annotations

from django.dispatch import Signal

figures_received = Signal()
