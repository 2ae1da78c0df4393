"""Background work of notifications: the fan-out, immediate e-mails, digests and the catch-up.
Every task is idempotent (see services), so running one twice does no harm."""

from __future__ import annotations

from django.tasks import task

from dtc.notifications import services


@task()
def activity_fan_out(*, activity_id: int) -> int:
    return services.activity_fan_out(activity_id=activity_id)


@task(queue_name="mail")
def notification_email_send(*, notification_id: int) -> bool:
    return services.notification_email_send(notification_id=notification_id)


@task()
def notification_digests_enqueue(*, frequency: str) -> int:
    """Scheduled (core.schedule): one digest task per person due for a `frequency` digest."""
    return services.digests_due_enqueue(frequency=frequency)


@task(queue_name="mail")
def notification_digest_send(*, user_id: int, frequency: str) -> int:
    return services.notification_digest_send(user_id=user_id, frequency=frequency)


@task()
def notifications_catch_up() -> dict[str, int]:
    """Scheduled (core.schedule): redo what a crashed or killed worker left undone."""
    return services.notifications_catch_up()
