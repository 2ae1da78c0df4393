"""Background work of tailored alerts: planning the outbox and delivering it. Both idempotent (see
`delivery`): running one twice, or on two workers at once, sends nothing twice."""

from __future__ import annotations

from django.tasks import task

from dtc.advisories import delivery


@task()
def alerts_plan() -> dict[str, int]:
    """Enqueued when alerts are written: plan their outbox rows, then start delivering."""
    planned = delivery.deliveries_plan()
    if planned:
        alerts_deliver.enqueue()
    return {"planned": planned}


@task(queue_name="mail")
def alerts_deliver() -> dict[str, int]:
    """One batch per channel; enqueues itself again while a batch came back full of work. The
    scheduler (or `dtc deliver_alerts`) picks up what is left, e.g. rows waiting for a retry."""
    result = delivery.deliveries_run_once()
    if result["email"] or result["webhook"] or result["digest"]:
        alerts_deliver.enqueue()
    return result


@task()
def providers_poll() -> dict:
    """Scheduled: import what configured CSAF providers published since the last poll."""
    from dtc.advisories.distribution import providers_poll as poll

    return poll()


@task(queue_name="mail")
def products_reminders() -> int:
    """Scheduled daily: ask admins whose product list was not confirmed for a while to check it."""
    from dtc.advisories.maintenance import products_reminders_send

    return products_reminders_send()
