from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Projects and field service"

    def ready(self):
        from sales.signals import order_confirmed

        from . import receivers

        order_confirmed.connect(
            receivers.order_confirmed_create_tasks, dispatch_uid="projects.order_confirmed_create_tasks"
        )
