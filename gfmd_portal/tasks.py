from celery import shared_task

from gfmd_portal import pagecache


@shared_task(name="gfmd_portal.tasks.warm_page_cache", ignore_result=True)
def warm_page_cache():
    """Render the main public pages into the anonymous page cache after a content change."""
    pagecache.warm()
