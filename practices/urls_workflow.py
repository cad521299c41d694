"""The delegates' and reviewers' pages, mounted with the public ones under /<lang>/practices/.

The reviewers' pages are under review/: the second-factor middleware treats /<lang>/practices/review/
as a staff area (stakeholders/middleware.py), like /<lang>/staff/.
"""

from django.urls import path

from practices import workflow_views as views

urlpatterns = [
    # Delegates of the submitting government.
    path("submit/", views.PracticeCreate.as_view(), name="create"),
    path("mine/", views.MyPractices.as_view(), name="mine"),
    path("<int:pk>/edit/", views.PracticeEdit.as_view(), name="edit"),
    path("<int:pk>/submit/", views.PracticeSubmit.as_view(), name="submit"),
    path("<int:pk>/withdraw/", views.PracticeWithdraw.as_view(), name="withdraw"),
    # Co-chair staff (second factor required).
    path("review/", views.ReviewQueue.as_view(), name="review-queue"),
    path("review/<int:pk>/", views.Review.as_view(), name="review"),
]
