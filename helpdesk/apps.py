from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = "Helpdesk"

    def ready(self):
        from core.home import register_home_figures
        from core.links import register_link
        from core.navigation import register_nav_item
        from core.panels import register_context
        from timesheets import tickets

        from . import selectors
        from .page_parts import customer_tickets, order_tickets

        register_context("sales:order_detail", order_tickets)
        register_context("sales:customer_detail", customer_tickets)
        # Pages below us (time lines, timers, orders, tasks) link to a ticket by this.
        register_link("ticket", "helpdesk:ticket_detail")
        # Timesheet lines and timers point at our tickets; timesheets reads them through these.
        tickets.register(
            tickets.TicketSource(
                every=selectors.tickets_with_team,
                of_teams_of=selectors.tickets_of_teams_of,
                open_for_time=selectors.tickets_open_for_time,
                team_of=selectors.ticket_team,
                has_member=selectors.ticket_team_has_member,
                for_logging=selectors.tickets_for_logging,
            )
        )

        from . import home

        register_nav_item(
            "Tickets",
            "helpdesk:ticket_list",
            ("agent", "sales", "accountant"),
            action="ticket.view",
            position=10,
        )
        register_home_figures("agent", home.agent_figures)
        register_home_figures("admin", home.admin_figures)
