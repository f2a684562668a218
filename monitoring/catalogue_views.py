"""Placeholder: replaced by the helper that builds these pages."""

from django.http import Http404


def index(request, pk=None):
    raise Http404


def indicator_list(request, pk=None):
    raise Http404


def indicator_create(request, pk=None):
    raise Http404


def indicator_detail(request, pk=None):
    raise Http404


def indicator_edit(request, pk=None):
    raise Http404


def indicator_delete(request, pk=None):
    raise Http404


def stage_list(request, pk=None):
    raise Http404


def stage_edit(request, pk=None):
    raise Http404


def stage_delete(request, pk=None):
    raise Http404
