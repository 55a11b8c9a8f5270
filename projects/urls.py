from django.urls import path

from . import stock_views, views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("tasks/", views.task_list, name="task_list"),
    path("stock/", stock_views.stock_list, name="stock_list"),
    path("stock/<int:pk>/", stock_views.product_stock, name="product_stock"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/materials/", views.task_material_add, name="task_material_add"),
    path("tasks/<int:pk>/done/", views.task_done, name="task_done"),
    path("tasks/<int:pk>/move/", views.task_move, name="task_move"),
    path("tasks/<int:pk>/sign/", views.task_sign, name="task_sign"),
    path("tasks/<int:pk>/signature.png", views.task_signature, name="task_signature"),
    path("tasks/<int:pk>/worksheet.pdf", views.task_worksheet_pdf, name="task_worksheet_pdf"),
    path("tasks/<int:pk>/worksheet/send/", views.task_worksheet_send, name="task_worksheet_send"),
]
