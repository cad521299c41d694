from celery import shared_task

from common import pagecache


# The name is the one the task had in the project package: outbox rows already recorded keep working.
@shared_task(name="gfmd_portal.tasks.warm_page_cache", ignore_result=True)
def warm_page_cache():
    """Render the main public pages into the anonymous page cache after a content change."""
    pagecache.warm()
