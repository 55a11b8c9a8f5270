import pytest

from tests.helpdesk.data import prepaid_setup


@pytest.fixture
def prepaid(db, agent):
    return prepaid_setup(agent=agent)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client
