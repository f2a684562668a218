from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from measures import selectors


def roadmap_list(request: HttpRequest) -> HttpResponse:
    roadmaps = selectors.roadmap_list(request.user)
    return render(request, "measures/roadmap_list.html", {"roadmaps": roadmaps})


def roadmap_detail(request: HttpRequest, pk: int) -> HttpResponse:
    roadmap = selectors.get_roadmap_for_user(request.user, pk)
    rows = selectors.roadmap_rows(roadmap)
    measure_count = sum(1 for row in rows if "measure" in row)
    return render(
        request,
        "measures/roadmap_detail.html",
        {"roadmap": roadmap, "rows": rows, "measure_count": measure_count},
    )
