"""Placeholder: replaced by the helper that builds these pages."""

from django.http import Http404


def import_upload(request, pk=None):
    raise Http404


def import_template(request, pk=None):
    raise Http404


def import_preview(request, pk=None):
    raise Http404


def import_confirm(request, pk=None):
    raise Http404
