from django.urls import path

from measures import (
    edition_views,
    editor_views,
    order_views,
    print_views,
    reminder_views,
    views,
    worklist_views,
)

app_name = "measures"

urlpatterns = [
    path(
        "reports/<int:occurrence_pk>/<int:school_pk>/",
        views.report_edit,
        name="report_edit",
    ),
    path("reports/<int:pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("reports/<int:pk>/history/", views.report_history, name="report_history"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("orders/<int:pk>/pdf/", print_views.order_pdf, name="order_pdf"),
    path("orders/<int:pk>/preview/", print_views.order_preview, name="order_preview"),
    path("", views.roadmap_list, name="roadmap_list"),
    path("school/", worklist_views.my_school, name="my_school"),
    path("review/", worklist_views.review_queue, name="review_queue"),
    path("import/", views.import_upload, name="import_upload"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("import/<int:pk>/columns/", views.import_columns, name="import_columns"),
    path("<int:pk>/", views.roadmap_detail, name="roadmap_detail"),
    path("<int:pk>/export/<str:fmt>/", views.roadmap_export, name="roadmap_export"),
    path("<int:pk>/history/", views.roadmap_history, name="roadmap_history"),
    path("<int:pk>/copy/", views.roadmap_copy, name="roadmap_copy"),
    path("<int:pk>/copy/review/", views.roadmap_copy_review, name="roadmap_copy_review"),
    path(
        "<int:roadmap_pk>/measures/<int:pk>/history/",
        views.measure_history,
        name="measure_history",
    ),
    path("<int:roadmap_pk>/deadline-reading/", views.deadline_reading, name="deadline_reading"),
    path("<int:roadmap_pk>/measures/<int:pk>/", views.measure_edit, name="measure_edit"),
    path(
        "<int:roadmap_pk>/measures/<int:pk>/deadline/",
        views.measure_deadline,
        name="measure_deadline",
    ),
    path(
        "<int:roadmap_pk>/measures/<int:pk>/deadline/reset/",
        views.measure_deadline_reset,
        name="measure_deadline_reset",
    ),
]

# the editor of a draft (measures/editor_views.py)
urlpatterns += [
    path("new/", editor_views.roadmap_create, name="roadmap_create"),
    path("<int:pk>/edit/", editor_views.roadmap_edit, name="roadmap_edit"),
    path("<int:pk>/delete/", editor_views.roadmap_delete, name="roadmap_delete"),
    path("<int:pk>/editor/", editor_views.roadmap_editor, name="roadmap_editor"),
    path("<int:pk>/editor/sections/", editor_views.section_add, name="section_add"),
    path(
        "<int:roadmap_pk>/editor/sections/<int:pk>/",
        editor_views.section_edit,
        name="section_edit",
    ),
    path(
        "<int:roadmap_pk>/editor/sections/<int:pk>/move/",
        editor_views.section_move,
        name="section_move",
    ),
    path(
        "<int:roadmap_pk>/editor/sections/<int:pk>/delete/",
        editor_views.section_delete,
        name="section_delete",
    ),
    path("<int:pk>/editor/measures/", editor_views.measure_add, name="measure_add"),
    path(
        "<int:roadmap_pk>/editor/measures/<int:pk>/",
        editor_views.measure_inline,
        name="measure_inline",
    ),
    path(
        "<int:roadmap_pk>/editor/measures/<int:pk>/move/",
        editor_views.measure_move,
        name="measure_move",
    ),
    path(
        "<int:roadmap_pk>/editor/measures/<int:pk>/delete/",
        editor_views.measure_delete,
        name="measure_delete",
    ),
]

# orders (measures/order_views.py)
urlpatterns += [
    path("orders/", order_views.order_list, name="order_list"),
    path("orders/new/", order_views.order_new, name="order_new"),
    path("orders/<int:pk>/", order_views.order_detail, name="order_detail"),
    path("orders/<int:pk>/edit/", order_views.order_edit, name="order_edit"),
    path("orders/<int:pk>/delete/", order_views.order_delete, name="order_delete"),
    path("orders/<int:pk>/sign/", order_views.order_sign, name="order_sign"),
    path("orders/<int:pk>/pdf-status/", order_views.order_pdf_status, name="order_pdf_status"),
    path("orders/<int:pk>/render/", order_views.order_render, name="order_render"),
    path("orders/<int:pk>/appendices/", order_views.order_appendix_add, name="order_appendix_add"),
    path(
        "orders/<int:pk>/appendices/<int:appendix_pk>/move/",
        order_views.order_appendix_move,
        name="order_appendix_move",
    ),
    path(
        "orders/<int:pk>/appendices/<int:appendix_pk>/delete/",
        order_views.order_appendix_delete,
        name="order_appendix_delete",
    ),
    path("orders/<int:pk>/signature/", order_views.order_signature, name="order_signature"),
    path(
        "orders/<int:pk>/signature/file/",
        order_views.order_signature_download,
        name="order_signature_download",
    ),
]

# editions and amendments (measures/edition_views.py)
urlpatterns += [
    path("<int:pk>/amend/", edition_views.amend_start, name="roadmap_amend"),
    path("<int:pk>/editions/<int:number>/", edition_views.edition_detail, name="edition_detail"),
    path("<int:pk>/compare/", edition_views.edition_compare, name="edition_compare"),
]

# deadline reminders (measures.reminders)
urlpatterns += [
    path("reminders/", reminder_views.reminder_log, name="reminder_log"),
    path("reminders/mine/", reminder_views.my_letters, name="my_letters"),
    path("reminders/settings/", reminder_views.reminder_settings, name="reminder_settings"),
    path(
        "reminders/unsubscribe/<str:token>/",
        reminder_views.reminders_unsubscribe,
        name="reminders_unsubscribe",
    ),
]
