"""The presidential declaration: staff compile, edit, compare and publish drafts; the public reads it."""

app_name = "declarations"

urlpatterns = []
