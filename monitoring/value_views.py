"""Placeholder: replaced by the helper that builds these pages."""

from django.http import Http404


def value_enter(request, pk=None):
    raise Http404


def indicator_history(request, pk=None):
    raise Http404


def my_school_values(request, pk=None):
    raise Http404


def school_values(request, pk=None):
    raise Http404
