from practices import urls_public, urls_workflow

app_name = "practices"

# The public database (search, pages, exports) and the delegates' and reviewers' workflow.
urlpatterns = urls_public.urlpatterns + urls_workflow.urlpatterns
