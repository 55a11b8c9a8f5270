from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"
    verbose_name = "Contracts"

    def ready(self):
        from core.navigation import register_nav_item

        register_nav_item(
            "Contracts",
            "contracts:contract_list",
            ("sales", "accountant"),
            action="contract.view",
            position=60,
        )
        register_nav_item(
            "My contracts", "contracts:portal_contracts", ("customer",), action="portal.use", position=110
        )
