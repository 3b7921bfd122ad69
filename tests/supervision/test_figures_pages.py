"""Figures pages: a compound's and a community's, with plots and definitions."""

import pytest

from tests.supervision.support import as_household, done_action
from tests.support import login, post, text_of


async def rated(client, world):
    await done_action(world)
    for household, verdict in (
        ("alpha:1-1-101", "satisfied"),
        ("alpha:1-1-102", "basically_satisfied"),
        ("alpha:1-1-201", "unsatisfied"),
    ):
        await as_household(client, world, household)
        await post(client, "/c/alpha/board/actions/1/rating", {"verdict": verdict})
    client.cookies.clear()


async def test_the_compound_figures_show_rates_from_exact_counts_with_plots_and_definitions(client, world):
    await rated(client, world)
    await login(client, "sec_alpha")
    response = await client.get("/compounds/alpha/figures")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "满意率" in text and "66.7%" in text  # 2 of 3
    assert "办结率" in text and "按时办结率" in text and "100%" in text
    assert "口径" in text
    assert response.text.count("<svg") == 3
    assert "按月趋势" in text


async def test_the_community_figures_compare_its_compounds(client, world):
    await rated(client, world)
    await login(client, "admin")
    response = await client.get("/communities/c1/figures")
    assert response.status_code == 200
    text = text_of(response.text)
    assert "各小区对比" in text and "银河湾小区" in text and "人保小区" in text
    assert response.text.count("<svg") == 6


FIGURES = [
    ("admin", 200),
    ("sec_alpha", 200),
    ("pm_alpha", 200),
    ("committee_alpha", 200),
    ("grid_alpha1", 403),
    ("pm_beta", 404),
    ("sec_beta", 404),
]


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(("username", "status"), FIGURES)
async def test_compound_figures_are_for_staff_of_the_compound(client, username, status):
    await login(client, username)
    assert (await client.get("/compounds/alpha/figures")).status_code == status


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("username", ["sec_alpha", "pm_alpha", "committee_alpha", "grid_alpha1"])
async def test_community_figures_are_for_its_admin_only(client, username):
    await login(client, username)
    assert (await client.get("/communities/c1/figures")).status_code == 404


@pytest.mark.usefixtures("world")
async def test_figures_need_a_login(client):
    assert "/login" in str((await client.get("/compounds/alpha/figures")).url)
    assert "/login" in str((await client.get("/communities/c1/figures")).url)
