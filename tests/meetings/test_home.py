"""The staff home page shows the meetings a person is invited to and links each compound's meetings."""

from tests.meetings.support import add_item, convene, proposal, publish
from tests.support import login, post, text_of
from yishi.accounts.tables import PartyMember
from yishi.roster.tables import Party


async def test_invited_people_see_the_published_meeting_on_their_home_page(client, world):
    property_party = (
        await Party.select().where((Party.compound == world.compounds["alpha"]) & (Party.kind == "property")).first()
    )
    await PartyMember.insert(PartyMember(party=property_party["id"], user=world.users["pm_alpha"], title="项目经理"))
    await login(client, "sec_alpha")
    meeting_id = await convene(
        client, kind="tripartite", title="物业费公示三方联席会", staff=[str(world.users["grid_alpha1"])]
    )
    await add_item(client, meeting_id, await proposal(world))
    home = (await client.get("/")).text
    assert 'href="/compounds/alpha/meetings"' in home
    assert "物业费公示三方联席会" not in text_of(home)
    await publish(client, meeting_id)
    for username, sees in (("pm_alpha", True), ("grid_alpha1", True), ("committee_alpha", False), ("pm_beta", False)):
        await post(client, "/logout")
        await login(client, username)
        home = text_of((await client.get("/")).text)
        assert ("物业费公示三方联席会" in home) == sees, username
