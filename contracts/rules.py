"""The contract scope of `core.policy`: staff see every contract, a portal contact their own."""

from core import policy

from .selectors import contracts_visible_to

policy.register_scope("contract", contracts_visible_to)
