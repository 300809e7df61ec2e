from celery import shared_task


@shared_task(name="govsite.rectification.recheck")
def recheck_task(item_ids: list[int]) -> dict:
    """Re-check claimed items (in-process without REDIS_URL, else on a worker)."""
    from govsite.rectification.models import RectificationItem
    from govsite.rectification.service import recheck_items

    items = list(RectificationItem.objects.filter(pk__in=item_ids).select_related(
        "website__unit", "finding", "unit"))  # fmt: skip
    return recheck_items(items)
