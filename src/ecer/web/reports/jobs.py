"""Report generation jobs: a row per request with status and progress that the page polls.

With a task queue (``ECER_BROKER_URL``, ``ecer serve worker``) a job is sent to it once its
row is committed (ecer.web.jobs.queue.report); a worker killed halfway leaves the job to the
next worker, which runs it again from the start. Without one (``make run``) it runs in a
background thread of the web process; ``ECER_REPORTS_INLINE`` runs it in the request instead,
for tests. Progress is written with ``update()`` so the page sees each step. A job
interrupted by a restart without a queue stays "running": the page offers to generate again.
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from ecer.web.catalog.observations_io import active_plan
from ecer.web.reports import documents, excel, pdf, services
from ecer.web.reports.fonts import FontMissing
from ecer.web.reports.models import ReportJob

log = logging.getLogger(__name__)
Kind = ReportJob.Kind


def start(job: ReportJob) -> None:
    if settings.ECER_REPORTS_INLINE:
        run(job.pk)
        return
    if settings.ECER_BROKER_URL:
        from ecer.web.jobs.queue import report

        transaction.on_commit(lambda: report.delay(job.pk))
        return

    def in_thread() -> None:
        close_old_connections()
        try:
            run(job.pk)
        finally:
            connection.close()

    # After the commit: the thread's own connection must see the job row.
    transaction.on_commit(lambda: threading.Thread(target=in_thread, daemon=True).start())


def _progress(job_id: int):  # type: ignore[no-untyped-def]
    def report(pct: int, step: str) -> None:
        ReportJob.objects.filter(pk=job_id).update(progress=pct, step=step[:200])

    return report


def run(job_id: int) -> None:
    job = ReportJob.objects.get(pk=job_id)
    ReportJob.objects.filter(pk=job_id).update(
        status=ReportJob.Status.RUNNING, progress=5, step=_("收集数据")
    )
    step = _progress(job_id)
    try:
        # Reports are written in Chinese, whatever the language of the page that asked.
        with override("zh-hans"):
            content, version = build(job, step)
    except FontMissing as exc:
        ReportJob.objects.filter(pk=job_id).update(
            status=ReportJob.Status.FAILED, error=str(exc), finished_at=timezone.now()
        )
        return
    except Exception as exc:  # the page must learn that the job ended
        log.exception("report job %s failed", job_id)
        ReportJob.objects.filter(pk=job_id).update(
            status=ReportJob.Status.FAILED,
            error=_("生成失败：%(e)s") % {"e": exc},
            finished_at=timezone.now(),
        )
        return
    ext = "pdf" if job.is_pdf else "xlsx"
    ReportJob.objects.filter(pk=job_id).update(
        status=ReportJob.Status.DONE,
        progress=100,
        step=_("已完成"),
        content=content,
        data_version=version,
        filename=f"ecer-{job.kind.replace('_', '-')}-{job.year}.{ext}",
        finished_at=timezone.now(),
    )


def build(job: ReportJob, step):  # type: ignore[no-untyped-def]
    plan = active_plan()
    if job.kind in (Kind.ANNUAL_XLSX, Kind.ANNUAL_PDF):
        annual = documents.annual(plan, job.year, step)
        # The results the report shows are stored with their scheme and data versions.
        services.store_results(annual.assessments, annual.scheme, job.year, annual.data_version)
        if job.kind == Kind.ANNUAL_XLSX:
            step(85, _("写入 Excel"))
            return excel.annual_workbook(annual), annual.data_version
        return pdf.annual_pdf(annual, step), annual.data_version
    if job.kind in (Kind.MIDTERM_XLSX, Kind.MIDTERM_PDF):
        mid = documents.midterm(plan, job.year, progress=step)
        if job.kind == Kind.MIDTERM_XLSX:
            step(85, _("写入 Excel"))
            return excel.midterm_workbook(mid), mid.data_version
        return pdf.midterm_pdf(mid, step), mid.data_version
    annual = documents.annual(plan, job.year, step)
    return pdf.briefing_pdf(annual, step), annual.data_version
