"""The home page every role lands on after signing in: its to-do (待办)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ecer.web.accounts.decorators import scoped
from ecer.web.home import todo


@scoped
def todo_page(request: HttpRequest) -> HttpResponse:
    items = todo.fresh_for_request(request)
    return render(request, "home/todo.html", {"todo": items})
